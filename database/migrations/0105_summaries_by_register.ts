import { BaseSchema } from '@adonisjs/lucid/schema'
import Store from '#models/store'
import { rebuildAllSummaries } from '#reports/summary_rebuild'

/*
| The summaries of a store's days and hours, and of its tenders, kept per register (issue 20):
| the report by register reads them, and tills no longer share a row that each sale locks until
| its COMMIT (app/sales/sale_summaries.ts). The two tables are
| made again with the register in their key, and every store's summaries are worked out again
| from its lines (as after a change of time zone). Not in a transaction: the rebuild opens its
| own, a day at a time. `pos:restore` of a backup made before this rebuilds them too; rows loaded
| otherwise without a register get 0, which the reports add up all the same.
*/
export default class extends BaseSchema {
  static disableTransactions = true

  async up() {
    this.schema.dropTable('summary_sales')
    this.schema.dropTable('summary_tenders')
    this.schema.createTable('summary_sales', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.tinyint('hour').notNullable()
      // 0: rows loaded from before this without their register (pos:summaries --rebuild splits them)
      table.integer('register_id').unsigned().notNullable().defaultTo(0)
      table.integer('sales_count').notNullable().defaultTo(0)
      table.bigInteger('total').notNullable().defaultTo(0)
      table.bigInteger('tax_total').notNullable().defaultTo(0)
      table.bigInteger('discount_total').notNullable().defaultTo(0)
      table.integer('refund_count').notNullable().defaultTo(0)
      table.bigInteger('refund_total').notNullable().defaultTo(0)
      table.bigInteger('refund_tax').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'hour', 'register_id'])
    })
    this.schema.createTable('summary_tenders', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.string('method', 32).notNullable()
      // 0: rows loaded from before this without their register (pos:summaries --rebuild splits them)
      table.integer('register_id').unsigned().notNullable().defaultTo(0)
      table.integer('payment_count').notNullable().defaultTo(0)
      table.bigInteger('amount').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'method', 'register_id'])
    })
    this.defer(async () => {
      for (const store of await Store.all()) await rebuildAllSummaries(store)
    })
  }

  async down() {
    this.schema.dropTable('summary_sales')
    this.schema.dropTable('summary_tenders')
    this.schema.createTable('summary_sales', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.tinyint('hour').notNullable()
      table.integer('sales_count').notNullable().defaultTo(0)
      table.bigInteger('total').notNullable().defaultTo(0)
      table.bigInteger('tax_total').notNullable().defaultTo(0)
      table.bigInteger('discount_total').notNullable().defaultTo(0)
      table.integer('refund_count').notNullable().defaultTo(0)
      table.bigInteger('refund_total').notNullable().defaultTo(0)
      table.bigInteger('refund_tax').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'hour'])
    })
    this.schema.createTable('summary_tenders', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.string('method', 32).notNullable()
      table.integer('payment_count').notNullable().defaultTo(0)
      table.bigInteger('amount').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'method'])
    })
    this.defer(async () => {
      for (const store of await Store.all()) await rebuildAllSummaries(store)
    })
  }
}
