import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type Store from '#models/store'
import SummaryRebuild, { eachDay } from '#reports/summary_rebuild'
import { nextDay } from '#reports/day_rollup'
import { lastDayOver } from '#sales/summary_days'

/*
| The daily summaries are kept for days that are over, rolled up from their lines two hours after
| they end (app/sales/summary_days.ts): a sale made now writes no summary row. Each store's marker
| says up to which day they are kept, and its row lock puts a late write into an old day and that
| day's roll-up in line.
| Rows kept so far were exact at every commit: a store's days that are over keep them and are
| marked rolled up; the rows of today are replaced by today's roll-up. Done on the migration's own
| connection (pos:backup-verify migrates a scratch database).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('summary_days_rolled', (table) => {
      table.integer('store_id').unsigned().notNullable().primary().references('stores.id')
      // The store's last day ('yyyy-MM-dd') whose summaries are kept; null while none are
      table.string('through_day', 10).nullable()
      // Writes into a day after it was over (offline sales synced late, voids of old sales)
      table.integer('late_writes').notNullable().defaultTo(0)
    })
    this.defer((client) => markRolledDays(client))
  }

  async down() {
    // The code before this reads the summaries of every day before today: the days since the
    // marker's are written from their lines first
    this.defer(async (client) => {
      const marked = await client.from('summary_days_rolled').join('stores', 'stores.id', 'summary_days_rolled.store_id').select('stores.id', 'stores.time_zone', 'summary_days_rolled.through_day')
      const summaries = new SummaryRebuild()
      for (const row of marked) {
        const store = { id: Number(row.id), timeZone: String(row.time_zone) } as Store
        const from = row.through_day ? nextDay(String(row.through_day)) : ((await summaries.span(store, client))?.from ?? null)
        const today = new Date().toISOString().slice(0, 10)
        if (from) for (const day of eachDay(from, nextDay(today))) await summaries.writeDay(client, store, day, ['rounding_total'])
      }
    })
    this.schema.dropTable('summary_days_rolled')
  }
}

/** Marks every store's days that are over as rolled up: the summaries kept so far were exact */
export async function markRolledDays(client: QueryClientContract) {
  const stores = await client.from('stores').select('id', 'time_zone')
  for (const store of stores) {
    await client.table('summary_days_rolled').insert({ store_id: store.id, through_day: lastDayOver(String(store.time_zone)), late_writes: 0 }).onConflict('store_id').ignore()
  }
}
