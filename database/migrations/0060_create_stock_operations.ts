import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Stock operations: receipts from suppliers, adjustments, transfers between stores and
| stocktakes. Each writes rows to stock_movements (which say which document moved them),
| and products.stock stays equal to the sum of those rows.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('products', (table) => {
      // The dashboard lists a product as low when stock <= this
      table.integer('low_stock_threshold').notNullable().defaultTo(5)
    })

    this.schema.alterTable('stock_movements', (table) => {
      // receipt, adjustment, transfer, stocktake (null for sales and edits)
      table.string('document_type', 20).nullable()
      table.integer('document_id').unsigned().nullable()
    })

    this.schema.createTable('stock_receipts', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('supplier', 120).notNullable()
      table.string('reference', 80).nullable()
      table.string('note', 255).nullable()
      table.integer('user_id').unsigned().nullable().references('users.id')
      table.timestamp('created_at').notNullable()
      table.index(['store_id', 'created_at'])
    })
    this.schema.createTable('stock_receipt_lines', (table) => {
      table.increments('id')
      table.integer('receipt_id').unsigned().notNullable().references('stock_receipts.id')
      table.integer('product_id').unsigned().notNullable().references('products.id')
      table.integer('quantity').notNullable()
      table.integer('unit_cost').notNullable()
      table.index(['receipt_id'])
    })

    this.schema.createTable('stock_adjustments', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      // damaged, lost, found, correction
      table.string('reason', 20).notNullable()
      table.string('note', 255).nullable()
      table.integer('user_id').unsigned().nullable().references('users.id')
      table.timestamp('created_at').notNullable()
      table.index(['store_id', 'created_at'])
    })

    this.schema.createTable('stock_transfers', (table) => {
      table.increments('id')
      table.integer('from_store_id').unsigned().notNullable().references('stores.id')
      table.integer('to_store_id').unsigned().notNullable().references('stores.id')
      // in_transit, received
      table.string('status', 20).notNullable()
      table.string('note', 255).nullable()
      table.integer('sent_by').unsigned().nullable().references('users.id')
      table.integer('received_by').unsigned().nullable().references('users.id')
      table.timestamp('sent_at').notNullable()
      table.timestamp('received_at').nullable()
      table.index(['from_store_id', 'sent_at'])
      table.index(['to_store_id', 'status'])
    })
    this.schema.createTable('stock_transfer_lines', (table) => {
      table.increments('id')
      table.integer('transfer_id').unsigned().notNullable().references('stock_transfers.id')
      table.integer('product_id').unsigned().notNullable().references('products.id')
      // the receiving store's product with the same SKU
      table.integer('to_product_id').unsigned().notNullable().references('products.id')
      table.string('sku', 64).notNullable()
      table.string('name', 200).notNullable()
      table.integer('quantity_sent').notNullable()
      table.integer('quantity_received').nullable()
      table.index(['transfer_id'])
    })

    this.schema.createTable('stocktakes', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      // null: every category
      table.integer('category_id').unsigned().nullable().references('categories.id').onDelete('SET NULL')
      table.string('name', 120).notNullable()
      // counting, approved, cancelled
      table.string('status', 20).notNullable()
      table.integer('created_by').unsigned().nullable().references('users.id')
      table.integer('approved_by').unsigned().nullable().references('users.id')
      table.timestamp('created_at').notNullable()
      table.timestamp('approved_at').nullable()
      table.index(['store_id', 'status'])
    })
    this.schema.createTable('stocktake_lines', (table) => {
      table.increments('id')
      table.integer('stocktake_id').unsigned().notNullable().references('stocktakes.id')
      table.integer('product_id').unsigned().notNullable().references('products.id')
      // on hand when the sheet was made, then when it was approved
      table.integer('expected').notNullable()
      table.integer('counted').nullable()
      table.integer('variance').nullable()
      table.unique(['stocktake_id', 'product_id'])
    })

    // CSV imports: one row per upload, its progress polled or pushed live
    this.schema.createTable('product_imports', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('user_id').unsigned().nullable().references('users.id')
      table.string('file_name', 200).notNullable()
      table.string('path', 255).notNullable()
      // previewed, running, done, failed
      table.string('status', 20).notNullable()
      table.integer('total_rows').notNullable().defaultTo(0)
      table.integer('processed_rows').notNullable().defaultTo(0)
      table.integer('created_rows').notNullable().defaultTo(0)
      table.integer('updated_rows').notNullable().defaultTo(0)
      table.integer('error_rows').notNullable().defaultTo(0)
      table.text('errors', 'mediumtext').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['store_id', 'created_at'])
    })
  }

  async down() {
    this.schema.dropTable('product_imports')
    this.schema.dropTable('stocktake_lines')
    this.schema.dropTable('stocktakes')
    this.schema.dropTable('stock_transfer_lines')
    this.schema.dropTable('stock_transfers')
    this.schema.dropTable('stock_adjustments')
    this.schema.dropTable('stock_receipt_lines')
    this.schema.dropTable('stock_receipts')
    this.schema.alterTable('stock_movements', (table) => {
      table.dropColumn('document_type')
      table.dropColumn('document_id')
    })
    this.schema.alterTable('products', (table) => {
      table.dropColumn('low_stock_threshold')
    })
  }
}
