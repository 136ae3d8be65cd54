import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { runStatements } from '#platform/sql_batch'
import { addToStatement } from '#platform/sql_upsert'

/*
| The reports' daily summaries are kept for days that are over. A sale made now writes none: the
| reports read the lines of today (and of any day not rolled up yet), and two hours after a store
| day ends it is summed from its lines once (app/reports/day_rollup.ts). So the sale's transaction
| carries no summary row, and no two tills of a store meet on one (docs/speed-measurements-2026-12-05.md, docs/scale.md).
| Each store has one marker row (summary_days_rolled): its days up to `through_day` are rolled up.
| A write into a day that is over (an offline sale synced late) takes that
| row's lock, and adds to the day's summaries when the day is rolled up already; a roll-up takes the
| same lock first. Each waits for the other, so neither misses the other's rows. Both write the
| marker's row (a late write counts itself, a roll-up moves the day), so a Galera cluster, whose
| row locks are each node's own, certifies them against each other at COMMIT.
| A day takes writes without the lock for an hour after it ends (a sale at 23:59:59 on a server
| whose clock is a little behind); the roll-up waits two hours, far longer than a write is in flight.
*/
const OPEN_AFTER_END_MS = 3_600_000
const ROLL_UP_AFTER_END = { hours: 2 }

// "Now" is the machine's clock, never luxon's: the demo moves luxon's back in time to make its
// history, and a write into a day rolled up meanwhile must still see that day as over
export const realNow = () => DateTime.fromMillis(Date.now(), { zone: 'utc' })

/** The moment a store day ('yyyy-MM-dd') ends in the store's time zone */
function endOf(day: string, timeZone: string) {
  return DateTime.fromISO(day, { zone: timeZone }).plus({ days: 1 })
}

// Every sale asks, and luxon is the dearest part: the moment is kept per zone and day
const openUntil = new Map<string, number>()

/** Whether a write into the day may leave its summaries alone (it has not been over for an hour); `nowMs`: ms since 1970 */
export function dayIsOpen(day: string, timeZone: string, nowMs = Date.now()) {
  const key = `${timeZone} ${day}`
  let until = openUntil.get(key)
  if (until === undefined) {
    if (openUntil.size >= 1000) openUntil.clear()
    until = endOf(day, timeZone).toMillis() + OPEN_AFTER_END_MS
    openUntil.set(key, until)
  }
  return nowMs < until
}

/** The last store day that may be rolled up now: yesterday, or the day before in the first two hours of a day */
export function lastDayOver(timeZone: string, now: DateTime = realNow()) {
  const local = now.setZone(timeZone)
  if (!local.isValid) throw new Error(`Not a time zone: ${timeZone}`)
  let day = local.startOf('day').minus({ days: 1 })
  while (now < day.plus({ days: 1 }).plus(ROLL_UP_AFTER_END)) day = day.minus({ days: 1 })
  return day.toISODate()!
}

/** No day that may be rolled up at `now` ends after the moment answered: a later write is in a day not over */
export function daysOverEndBy(now: DateTime = realNow()) {
  return now.minus(ROLL_UP_AFTER_END)
}

/**
 * Locks the store's marker when the write adds to days that are no longer open, until its COMMIT
 * (one round trip; none when every day is open, as for every sale made now). Answers those of the
 * days that are rolled up: the write adds to their summaries.
 */
export async function lockRolledUpDays(trx: TransactionClientContract, storeId: number, timeZone: string, days: Iterable<string>, nowMs = Date.now()): Promise<Set<string>> {
  const past = [...new Set(days)].filter((day) => !dayIsOpen(day, timeZone, nowMs))
  if (!past.length) return new Set()
  const through = await lockDaysMarker(trx, storeId, 1)
  return new Set(through === null ? [] : past.filter((day) => day <= through))
}

/** Locks the store's marker (made if missing), adding `lateWrites` to it; answers the last day rolled up (null: none) */
export async function lockDaysMarker(trx: TransactionClientContract, storeId: number, lateWrites: number): Promise<string | null> {
  const forUpdate = trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''
  const [, read] = await runStatements(trx, [
    addToStatement(trx.dialect.name, 'summary_days_rolled', ['store_id'], [{ store_id: storeId, late_writes: lateWrites }]),
    { sql: `SELECT through_day FROM summary_days_rolled WHERE store_id = ?${forUpdate}`, bindings: [storeId] },
  ])
  const through = read.rows[0]?.through_day
  return through ? String(through) : null
}

/** The last store day whose summaries are kept (null: none yet, the reports read every day's lines) */
export async function summariesThrough(storeId: number): Promise<string | null> {
  const row = await db.from('summary_days_rolled').where('store_id', storeId).select('through_day').first()
  return row?.through_day ? String(row.through_day) : null
}
