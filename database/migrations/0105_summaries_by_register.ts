import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { Knex } from 'knex'
import type Store from '#models/store'
import SummaryRebuild, { SUMMARY_TABLES, eachDay, eachMonth, withoutColumns } from '#reports/summary_rebuild'
import { transaction } from '#platform/db_transaction'

/*
| The summaries of a store's days and hours, and of its tenders, kept per register (issue 20):
| the report by register reads them, and tills no longer share a row that each sale locks until
| its COMMIT (app/sales/sale_summaries.ts). The two tables are
| made again with the register in their key, and every store's summaries are worked out again
| from its lines (as after a change of time zone), on the migrated database's connection only.
| Not in a transaction: the rebuild opens its own, a day at a time. `pos:restore` of a backup made
| before this rebuilds them too; rows loaded otherwise without a register get 0, which the reports
| add up all the same.
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
    this.defer((client) => rebuildSummaries(client, byRegister))
  }
}

type Row = Record<string, number | string>

/**
 * Every store's summaries from its lines, as `pos:summaries --rebuild` writes them, but read and
 * written on the migration's own connection only (the client the migrator hands to defer):
 * pos:backup-verify migrates a scratch database while the app's default database is the live one
 * (tills selling) or, on a fresh machine, empty. A transaction a day, on that same connection
 * (the migration runs outside one: disableTransactions).
 */
async function rebuildSummaries(client: QueryClientContract, byRegister: boolean) {
  const lines = new SummaryRebuild()
  const counters = SUMMARY_TABLES.find((t) => t.name === 'summary_products')!.counters
  for (const row of await client.from('stores').select('id', 'time_zone')) {
    // (fromLines reads only the store's id and time zone)
    const store = { id: Number(row.id), timeZone: String(row.time_zone) } as Store
    const span = await lines.span(store, client)
    if (!span) continue
    for (const day of eachDay(span.from, span.to)) {
      await transaction(async (trx) => {
        const expected = await lines.fromLines(store, day, trx)
        for (const table of SUMMARY_TABLES) {
          await trx.from(table.name).where({ store_id: store.id, day }).delete()
          // The schema of this migration: the cash rounding came with 0149 (which writes it then)
          let rows = withoutColumns(expected.get(table.name)!, ['rounding_total'])
          if (!byRegister && table.keys.includes('register_id')) rows = withoutRegister(rows, table.keys, table.counters.filter((c) => c !== 'rounding_total'))
          for (let i = 0; i < rows.length; i += 500) {
            await trx.table(table.name).multiInsert(rows.slice(i, i + 500).map((r) => ({ store_id: store.id, day, ...r })))
          }
        }
      }, client.connectionName)
    }
    // The products' months, summed from their days: every month, as the POS kept them at this
    // migration (0110 then keeps only the months that are over)
    for (const month of eachMonth(span.from, span.to)) {
      await transaction(async (trx) => {
        await trx.from('summary_product_months').where({ store_id: store.id, month }).delete()
        await trx.rawQuery(
          `INSERT INTO summary_product_months (store_id, month, product_id, ${counters.join(', ')})
           SELECT store_id, ?, product_id, ${counters.map((c) => `SUM(${c})`).join(', ')} FROM summary_products
           WHERE store_id = ? AND day >= ? AND day <= ? GROUP BY store_id, product_id`,
          [month, store.id, `${month}-01`, `${month}-31`]
        )
      }, client.connectionName)
    }
  }
}

/** down(): the tables without the register, so each hour's (or tender's) rows added up over the registers */
function withoutRegister(rows: Row[], keys: string[], counters: string[]): Row[] {
  const merged = new Map<string, Row>()
  for (const { register_id: _register, ...row } of rows) {
    const key = keys.filter((k) => k !== 'register_id').map((k) => String(row[k])).join('/')
    const kept = merged.get(key)
    if (!kept) merged.set(key, row)
    else for (const c of counters) kept[c] = Number(kept[c]) + Number(row[c])
  }
  return [...merged.values()]
}
