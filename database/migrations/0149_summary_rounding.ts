import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type Store from '#models/store'
import SummaryRebuild, { bucketDay, quarterColumns } from '#reports/summary_rebuild'
import { transaction } from '#platform/db_transaction'
import { lockDaysMarker } from '#sales/summary_days'

/*
| The cash rounding of the sales in the days' and cashiers' summaries (summary_sales and
| summary_cashiers.rounding_total). The reports' totals are what was taken, the cash rounding
| included, as the tenders, the Z report's payments, the journal and the dashboard count it: the
| days report's Total left it out, and a cash sale of 1.02 paid 1.00 made the day 0.02 more than the
| money taken. The days rolled up that hold a sale with a rounding are written again from their
| lines (on the migrated database's connection only, a transaction a day: pos:backup-verify
| migrates a scratch database while the app's own is live); pos:restore of a backup from before
| this does the same.
*/
export default class extends BaseSchema {
  static disableTransactions = true

  async up() {
    // Each ALTER commits on its own (no transaction around DDL on MariaDB): a run stopped during the
    // days' rewrite leaves the columns, and the run again adds only what is missing, else it failed
    // on "Duplicate column name" and the upgrade stayed stuck
    this.defer(async (client) => {
      for (const table of ['summary_sales', 'summary_cashiers']) {
        if (await client.schema.hasColumn(table, 'rounding_total')) continue
        await client.schema.alterTable(table, (t) => {
          t.bigInteger('rounding_total').notNullable().defaultTo(0)
        })
      }
      await summariseRounding(client)
    })
  }

  async down() {
    for (const table of ['summary_sales', 'summary_cashiers']) {
      this.schema.alterTable(table, (t) => {
        t.dropColumn('rounding_total')
      })
    }
  }
}

/** Every rolled-up day that holds a sale with a cash rounding, written again from its lines */
export async function summariseRounding(client: QueryClientContract) {
  const summaries = new SummaryRebuild()
  const { hour, quarter } = quarterColumns(client, 'completed_at')
  for (const row of await client.from('summary_days_rolled').join('stores', 'stores.id', 'summary_days_rolled.store_id').whereNotNull('through_day').select('stores.id', 'stores.time_zone', 'summary_days_rolled.through_day')) {
    // (writeDay reads only the store's id and time zone)
    const store = { id: Number(row.id), timeZone: String(row.time_zone) } as Store
    const buckets = await client
      .from('sales')
      .where({ store_id: store.id, status: 'completed' })
      .whereNot('rounding_total', 0)
      .select(client.raw(`${hour} as h`), client.raw(`${quarter} as q`))
      .groupByRaw(`${hour}, ${quarter}`)
    const days = new Set((buckets as any[]).map((b) => bucketDay(String(b.h), Number(b.q), store.timeZone)))
    for (const day of [...days].sort()) {
      if (day > String(row.through_day)) continue
      await transaction(async (trx) => {
        await lockDaysMarker(trx, store.id, 0)
        await summaries.writeDay(trx, store, day)
      }, client.connectionName)
    }
  }
}
