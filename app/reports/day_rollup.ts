import type { DateTime } from 'luxon'
import Store from '#models/store'
import { inTransaction } from '#platform/db_transaction'
import SummaryRebuild, { eachDay } from '#reports/summary_rebuild'
import { rollUpProductMonths } from '#reports/month_rollup'
import { lastDayOver, lockDaysMarker, summariesThrough } from '#sales/summary_days'

/*
| Rolling up the store days (app/sales/summary_days.ts says why and how writes meet it): two hours
| after a store day ends, its summaries are summed from its lines once, under the store marker's
| lock, and the marker moves on to that day. Every server does it a minute or two after it starts
| and then every hour (start/maintenance.ts); the second to come finds the days done. The reports
| read the summaries up to the marker's day and the lines after it (report_service.ts).
*/

/**
 * Rolls up the store's days that are over and not rolled up yet, a transaction per day, oldest
 * first; answers how many were summed. A store that has sold nothing yet is marked rolled up to the
 * last day over at once.
 */
export async function rollUpDays(store: Store, options: { now?: DateTime; progress?: (day: string) => void } = {}): Promise<number> {
  const last = lastDayOver(store.timeZone, options.now)
  const through = await summariesThrough(store.id)
  if (through !== null && through >= last) return 0
  const summaries = new SummaryRebuild()
  const first = through !== null ? nextDay(through) : (await summaries.span(store))?.from
  let done = 0
  if (!first || first > last) {
    await inTransaction(async (trx) => {
      const now = await lockDaysMarker(trx, store.id, 0)
      if (now === null || now < last) await trx.from('summary_days_rolled').where('store_id', store.id).update({ through_day: last })
    })
    return done
  }
  for (const day of eachDay(first, last)) {
    const rolled = await inTransaction(async (trx) => {
      const now = await lockDaysMarker(trx, store.id, 0)
      if (now !== null && now >= day) return false
      await summaries.writeDay(trx, store, day)
      await trx.from('summary_days_rolled').where('store_id', store.id).update({ through_day: day })
      return true
    })
    if (rolled) done++
    options.progress?.(day)
  }
  return done
}

/** Rolls up every store's days that are over, then the products' months that are over */
export async function rollUpSummaries(): Promise<{ days: number; months: number }> {
  let days = 0
  for (const store of await Store.query().orderBy('id')) days += await rollUpDays(store)
  return { days, months: await rollUpProductMonths() }
}

export function nextDay(day: string) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}
