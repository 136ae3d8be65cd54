import { BaseSchema } from '@adonisjs/lucid/schema'
import { addReferenceColumn } from '#database/reference_columns'

/*
| Returns, refunds, exchanges and voids. A refund is a chain record of the register it was
| made at (previous_hash, hash), like a completed sale; a void is chained on the sale's row.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('refunds', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      // null for a return without a receipt (a manager's, at the current price)
      table.integer('sale_id').unsigned().nullable().references('sales.id')
      // The register whose drawer paid the money back (its chain holds the refund)
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      table.integer('user_id').unsigned().notNullable().references('users.id')
      // The manager who approved a refund to another tender
      table.integer('approved_by').unsigned().nullable().references('users.id')
      table.string('reason', 255).notNullable()
      // refund, or exchange (then exchange_sale_id is the new sale)
      table.string('kind', 10).notNullable().defaultTo('refund')
      table.integer('exchange_sale_id').unsigned().nullable().references('sales.id')
      // What the returned lines were worth (incl. tax), and the tax share of it
      table.integer('total').notNullable()
      table.integer('tax_total').notNullable()
      table.string('previous_hash', 64).nullable()
      table.string('hash', 64).notNullable()
      table.timestamp('created_at').notNullable()
      table.index(['sale_id'])
      table.index(['register_id'])
      table.index(['store_id', 'created_at'])
    })

    this.schema.createTable('refund_items', (table) => {
      table.increments('id')
      table.integer('refund_id').unsigned().notNullable().references('refunds.id')
      table.integer('sale_item_id').unsigned().nullable().references('sale_items.id')
      table.integer('product_id').unsigned().notNullable().references('products.id')
      table.integer('quantity').notNullable()
      table.integer('amount').notNullable()
      table.integer('tax_amount').notNullable()
      // true: back to sellable stock; false: to the damaged bin (no stock movement)
      table.boolean('restock').notNullable()
      table.index(['refund_id'])
      table.index(['sale_item_id'])
    })

    // The money that went back, per tender (an exchange credit has method 'exchange')
    this.schema.createTable('refund_payments', (table) => {
      table.increments('id')
      table.integer('refund_id').unsigned().notNullable().references('refunds.id')
      table.string('method', 32).notNullable()
      table.integer('amount').notNullable()
      table.index(['refund_id'])
    })

    // Running totals per sold line, raised by a conditional update so that two tills can
    // never return more than was sold
    this.schema.alterTable('sale_items', (table) => {
      table.integer('refunded_quantity').notNullable().defaultTo(0)
      table.integer('refunded_amount').notNullable().defaultTo(0)
      table.integer('refunded_tax').notNullable().defaultTo(0)
    })

    this.schema.alterTable('sales', (table) => {
      table.integer('refunded_total').notNullable().defaultTo(0)
      table.timestamp('voided_at').nullable()
      table.string('void_reason', 255).nullable()
      table.string('void_previous_hash', 64).nullable()
      table.string('void_hash', 64).nullable()
    })
    addReferenceColumn(this, 'sales', 'voided_by', 'users.id')
  }

  async down() {
    this.schema.alterTable('sales', (table) => {
      table.dropForeign(['voided_by'])
      table.dropColumn('refunded_total')
      table.dropColumn('voided_at')
      table.dropColumn('voided_by')
      table.dropColumn('void_reason')
      table.dropColumn('void_previous_hash')
      table.dropColumn('void_hash')
    })
    this.schema.alterTable('sale_items', (table) => {
      table.dropColumn('refunded_quantity')
      table.dropColumn('refunded_amount')
      table.dropColumn('refunded_tax')
    })
    this.schema.dropTable('refund_payments')
    this.schema.dropTable('refund_items')
    this.schema.dropTable('refunds')
  }
}
