import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    // Every change of stock is a row here; products.stock is kept equal to the sum per product
    this.schema.createTable('stock_movements', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('product_id').unsigned().notNullable().references('products.id')
      table.integer('quantity').notNullable()
      // initial, sale, refund, receipt, adjustment, transfer_out, transfer_in, count
      table.string('reason', 20).notNullable()
      table.integer('sale_id').unsigned().nullable().references('sales.id')
      table.integer('user_id').unsigned().nullable().references('users.id')
      table.string('note', 255).nullable()
      table.timestamp('created_at').notNullable()
      table.index(['product_id'])
      table.index(['store_id', 'created_at'])
    })

    this.schema.createTable('audit_logs', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().nullable()
      table.integer('user_id').unsigned().nullable()
      table.string('action', 60).notNullable()
      table.string('subject_type', 40).nullable()
      table.integer('subject_id').unsigned().nullable()
      table.text('data').nullable()
      table.string('ip', 64).nullable()
      table.timestamp('created_at').notNullable()
      table.index(['action', 'created_at'])
      table.index(['store_id', 'created_at'])
    })

    this.schema.createTable('idempotency_keys', (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().notNullable()
      table.string('key', 100).notNullable()
      table.string('method', 8).notNullable()
      table.string('path', 255).notNullable()
      table.string('request_hash', 64).notNullable()
      // null while the first request is still running
      table.integer('status_code').nullable()
      table.text('response_body', 'mediumtext').nullable()
      table.timestamp('created_at').notNullable()
      table.unique(['user_id', 'key'])
    })
  }

  async down() {
    this.schema.dropTable('idempotency_keys')
    this.schema.dropTable('audit_logs')
    this.schema.dropTable('stock_movements')
  }
}
