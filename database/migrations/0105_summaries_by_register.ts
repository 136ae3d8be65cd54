import { BaseSchema } from '@adonisjs/lucid/schema'
import type { Knex } from 'knex'
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
    this.#recreate(true)
  }

  async down() {
    this.#recreate(false)
  }

  /** The two tables again, with or without the register in their key; then every store's summaries from its lines */
  #recreate(byRegister: boolean) {
    const register = (table: Knex.CreateTableBuilder) => {
      // 0: rows loaded from before this without their register (pos:summaries --rebuild splits them)
      if (byRegister) table.integer('register_id').unsigned().notNullable().defaultTo(0)
    }
    const key = (columns: string[]) => (byRegister ? [...columns, 'register_id'] : columns)
    this.schema.dropTable('summary_sales')
    this.schema.dropTable('summary_tenders')
    this.schema.createTable('summary_sales', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.tinyint('hour').notNullable()
      register(table)
      for (const count of ['sales_count', 'refund_count']) table.integer(count).notNullable().defaultTo(0)
      for (const amount of ['total', 'tax_total', 'discount_total', 'refund_total', 'refund_tax']) table.bigInteger(amount).notNullable().defaultTo(0)
      table.primary(key(['store_id', 'day', 'hour']))
    })
    this.schema.createTable('summary_tenders', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.string('method', 32).notNullable()
      register(table)
      table.integer('payment_count').notNullable().defaultTo(0)
      table.bigInteger('amount').notNullable().defaultTo(0)
      table.primary(key(['store_id', 'day', 'method']))
    })
    this.defer(async () => {
      for (const store of await Store.all()) await rebuildAllSummaries(store)
    })
  }
}
