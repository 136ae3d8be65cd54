import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { monthIsOver } from '#sales/product_months'

/*
| The products' month rows are kept only for months that are over, rolled up from their day rows
| (app/sales/product_months.ts): a sale made now writes no month row. A marker per store and month
| says which months are rolled up, and its row lock puts a late write into an old month and that
| month's roll-up in line.
| Rows kept so far were exact at every commit: a month already over keeps them and is marked rolled
| up; the month still open loses them (the reports read its days until it is rolled up). Done on
| the migration's own connection (pos:backup-verify migrates a scratch database).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('summary_month_rollups', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('month', 7).notNullable()
      // Set once the month's rows are summed from its days; null while the reports read its days
      table.timestamp('rolled_up_at').nullable()
      // Writes into the month after it was over (offline sales synced late, voids of old sales)
      table.integer('late_writes').notNullable().defaultTo(0)
      table.primary(['store_id', 'month'])
    })
    this.defer((client) => markKeptMonths(client))
  }

  async down() {
    this.schema.dropTable('summary_month_rollups')
    // The code before this reads every whole month's rows: each month summed from its days again
    this.defer(async (client) => {
      await client.from('summary_product_months').delete()
      await client.rawQuery(
        `INSERT INTO summary_product_months (store_id, month, product_id, ${COUNTERS.join(', ')})
         SELECT store_id, substr(day, 1, 7), product_id, ${COUNTERS.map((c) => `SUM(${c})`).join(', ')} FROM summary_products
         GROUP BY store_id, substr(day, 1, 7), product_id`
      )
    })
  }
}

const COUNTERS = ['quantity', 'total', 'tax_total', 'refunded_quantity', 'refunded_total', 'refunded_tax']

/** Marks the months kept so far that are over as rolled up; drops the rows of the others */
export async function markKeptMonths(client: QueryClientContract) {
  const kept = await client.from('summary_product_months').join('stores', 'stores.id', 'summary_product_months.store_id').distinct('summary_product_months.store_id', 'summary_product_months.month', 'stores.time_zone')
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
  for (const row of kept) {
    const month = String(row.month)
    if (monthIsOver(month, String(row.time_zone))) {
      await client.table('summary_month_rollups').insert({ store_id: row.store_id, month, rolled_up_at: now, late_writes: 0 }).onConflict(['store_id', 'month']).ignore()
    } else {
      await client.from('summary_product_months').where({ store_id: row.store_id, month }).delete()
    }
  }
}
