import { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import { inTransaction } from '#platform/db_transaction'
import SummaryRebuild, { rebuildAllSummaries, SUMMARY_TABLES } from '#reports/summary_rebuild'
import { rollUpProductMonths } from '#reports/month_rollup'
import { daysOverEndBy, lastDayOver, lockDaysMarker } from '#sales/summary_days'
import { dbTimestamp, readTimestamp } from '#platform/db_time'

/*
| Rolling up the store days (app/sales/summary_days.ts says why and how writes meet it): two hours
| after a store day ends, its summaries are summed from its lines once, under the store marker's
| lock, and the marker moves on to that day. Every server does it a minute or two after it starts
| and then every hour (start/maintenance.ts); the second to come finds the days done. The reports
| read the summaries up to the marker's day and the lines after it (report_service.ts).
*/

/**
 * Rolls up the store's days that are over and not rolled up yet, oldest first, a transaction per
 * day with lines (the days between have nothing to sum); answers how many were summed. `now`
 * (tests, benchmarks) stands for the machine's clock.
 */
export async function rollUpDays(store: Pick<Store, 'id'>, options: { now?: DateTime; progress?: (day: string) => void } = {}): Promise<number> {
  const summaries = new SummaryRebuild()
  let done = 0
  for (;;) {
    const day = await inTransaction((trx) => rollUpNextDay(trx, summaries, store.id, options.now))
    if (day === null) return done
    done++
    options.progress?.(day)
  }
}

/**
 * The store's next day rolled up, or null when none is over. Everything is decided under the
 * marker's lock, from what is committed then (a late write into a past day waits for it, or has
 * committed): the next day (the one after the marker's, or the store's first day with a sale or a
 * refund), and the store's time zone as it is now. A store that has sold nothing is marked rolled
 * up to the last day over at once; a marker ahead of that day (the zone changed to one further
 * west) is taken back to it. Days without a line are passed over (nextDayWithLines).
 */
async function rollUpNextDay(trx: TransactionClientContract, summaries: SummaryRebuild, storeId: number, now?: DateTime): Promise<string | null> {
  const through = await lockDaysMarker(trx, storeId, 0)
  const zone = (await trx.from('stores').where('id', storeId).select('time_zone').first())?.time_zone
  if (!zone) return null
  const store = { id: storeId, timeZone: String(zone) } as Store
  const last = lastDayOver(store.timeZone, now)
  const mark = (day: string) => trx.from('summary_days_rolled').where('store_id', storeId).update({ through_day: day })
  const after = through !== null ? nextDay(through) : null
  const next = after !== null ? (after <= last ? await nextDayWithLines(trx, store, after) : after) : ((await summaries.span(store, trx))?.from ?? null)
  if (next === null || next > last) {
    if (through !== last) await mark(last)
    return null
  }
  await summaries.writeDay(trx, store, next)
  await mark(next)
  return next
}

/**
 * The store's first day from `from` on with a completed sale, a refund or a summary row (null when
 * none): the days before it have nothing to sum, and writing each of them deleted no row and wrote
 * none, in a transaction of a dozen statements. A store that sold on two days a year apart took 365
 * (a season's shop, an imported history, a till offline for weeks); it takes two. Read under the
 * marker's lock, as the day itself: a late write into a day over takes that lock (summary_days.ts)
 */
async function nextDayWithLines(trx: TransactionClientContract, store: Store, from: string): Promise<string | null> {
  const start = dbTimestamp(DateTime.fromISO(from, { zone: store.timeZone }).startOf('day').toUTC())
  const [sale, refund] = await Promise.all([
    trx.from('sales').where({ store_id: store.id, status: 'completed' }).where('completed_at', '>=', start).min('completed_at as at').first(),
    trx.from('refunds').where('store_id', store.id).where('created_at', '>=', start).min('created_at as at').first(),
  ])
  const days = [sale?.at, refund?.at].filter(Boolean).map((at) => DateTime.fromJSDate(readTimestamp(at)).setZone(store.timeZone).toISODate()!)
  for (const table of SUMMARY_TABLES) {
    const row = await trx.from(table.name).where('store_id', store.id).where('day', '>=', from).min('day as day').first()
    if (row?.day) days.push(String(row.day))
  }
  return days.sort()[0] ?? null
}

/**
 * Every day of the store's summaries written again after its time zone changed (its days' edges
 * moved): first a day rolled up that is not over in the new zone (one further west) is taken back
 */
export async function rebuildForNewZone(store: Store) {
  await rollUpDays(store)
  await rebuildAllSummaries(store)
}

/** Rolls up every store's days that are over, then the products' months that are over */
export async function rollUpSummaries(options: { now?: DateTime } = {}): Promise<{ days: number; months: number }> {
  const days = await rollUpEveryStoreDays(options)
  return { days, months: await rollUpProductMonths() }
}

/** Rolls up every store's days that are over (a store that fails is logged and skipped); answers how many */
export async function rollUpEveryStoreDays(options: { now?: DateTime } = {}): Promise<number> {
  let days = 0
  for (const storeId of await storesToRollUp(options.now)) {
    try {
      days += await rollUpDays({ id: storeId }, options)
    } catch (error) {
      logger.error({ err: error, storeId }, 'could not roll up the report summaries of store %d', storeId)
    }
  }
  return days
}

/**
 * The stores that may have a day to roll up, asked in two queries rather than a transaction per
 * store (the hourly pass over a chain of a thousand stores took a thousand): a store whose marker
 * is at the last day over in its zone has none, and a store with no marker and no sale or refund
 * in a day over, nor summary row, needs none yet (its first write into a past day makes the
 * marker, and until then the reports read its lines). Each store kept is decided again under its
 * marker's lock.
 */
async function storesToRollUp(now?: DateTime): Promise<number[]> {
  const marked = await db.from('summary_days_rolled as r').join('stores as s', 's.id', 'r.store_id').select('s.id', 's.time_zone', 'r.through_day')
  const lastDay = new Map<string, string>()
  const behind = marked.filter((row) => {
    const zone = String(row.time_zone)
    try {
      if (!lastDay.has(zone)) lastDay.set(zone, lastDayOver(zone, now))
    } catch {
      // A zone this machine does not know (a backup from one with newer time zone data): kept, so
      // that its roll-up fails, is logged and is skipped alone, not the whole pass
      return true
    }
    return row.through_day === null || String(row.through_day) !== lastDay.get(zone)
  })
  // Of a store without a marker, only a sale or refund made before every day over ended can be in one
  const endedBy = dbTimestamp(daysOverEndBy(now))
  const owns = (table: string) => (query: any) => query.from(table).whereColumn(`${table}.store_id`, 's.id')
  const unmarked = await db
    .from('stores as s')
    .whereNotExists((query) => query.from('summary_days_rolled as r').whereColumn('r.store_id', 's.id'))
    .where((query) => {
      query
        .whereExists((sales) => owns('sales')(sales).where('sales.status', 'completed').where('sales.completed_at', '<=', endedBy))
        .orWhereExists((refunds) => owns('refunds')(refunds).where('refunds.created_at', '<=', endedBy))
      for (const table of SUMMARY_TABLES) query.orWhereExists(owns(table.name))
    })
    .select('s.id')
  return [...behind, ...unmarked].map((row) => Number(row.id)).sort((a, b) => a - b)
}

export function nextDay(day: string) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}
