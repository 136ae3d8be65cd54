import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { runStatements } from '#platform/sql_batch'
import { addToStatement } from '#platform/sql_upsert'

/*
| The products' month rows (summary_product_months) are kept for months that are over: a day after
| a month ends it is rolled up from its day rows (app/reports/month_rollup.ts), and until then the
| reports read the month's day rows. So a sale made now writes its products' day rows only: five
| rows and a statement fewer for a five-line sale (docs/speed-measurements-2026-12-05.md).
| A write into a month that is over (an offline sale synced late) takes the
| row lock of the month's marker (summary_month_rollups), and adds to the month's rows as well when
| the month was rolled up; a roll-up takes the same lock first. Each waits for the other, so neither
| misses the other's rows. The lock is a write (a counter of such late writes), which a Galera
| cluster also certifies across nodes.
| A month takes writes without the lock for an hour after it ends (a sale at 23:59:59 on its last
| day, on a server whose clock is a little behind); the roll-up waits a day, far longer than any
| write is in flight.
*/
const OPEN_AFTER_END = { hours: 1 }
const ROLL_UP_AFTER_END = { days: 1 }

/** The moment a month ('yyyy-MM' of the store's days) ends in the store's time zone */
function endOf(month: string, timeZone: string) {
  return DateTime.fromFormat(month, 'yyyy-MM', { zone: timeZone }).plus({ months: 1 })
}

// Every sale asks, and luxon is the dearest part: the moment is kept per zone and month
const openUntil = new Map<string, number>()

/** Until when (ms) a write into the month may leave its month rows alone: an hour after it ends */
function openUntilOf(month: string, timeZone: string) {
  const key = `${timeZone} ${month}`
  let until = openUntil.get(key)
  if (until === undefined) {
    if (openUntil.size >= 1000) openUntil.clear()
    until = endOf(month, timeZone).plus(OPEN_AFTER_END).toMillis()
    openUntil.set(key, until)
  }
  return until
}

// "Now" is the machine's clock, never luxon's: the demo moves luxon's back in time to make its
// history, and a write into a month rolled up meanwhile must still see that month as over
const realNow = () => DateTime.fromMillis(Date.now(), { zone: 'utc' })

/** Whether a write into the month may leave its month rows alone (it has not been over for long); `nowMs`: ms since 1970 */
export function monthIsOpen(month: string, timeZone: string, nowMs = Date.now()) {
  return nowMs < openUntilOf(month, timeZone)
}

/** Whether the month may be rolled up now */
export function monthIsOver(month: string, timeZone: string, now: DateTime = realNow()) {
  return now >= endOf(month, timeZone).plus(ROLL_UP_AFTER_END)
}

/** The last month that may be rolled up now ('yyyy-MM'): the month before this one, or the one before that */
export function lastMonthOver(timeZone: string, now: DateTime = realNow()) {
  let month = DateTime.fromFormat(now.setZone(timeZone).toFormat('yyyy-MM'), 'yyyy-MM', { zone: 'utc' })
  if (!month.isValid) throw new Error(`Not a time zone: ${timeZone}`)
  while (!monthIsOver(month.toFormat('yyyy-MM'), timeZone, now)) month = month.minus({ months: 1 })
  return month.toFormat('yyyy-MM')
}

/**
 * Locks the markers of the months a write adds to that are no longer open, until its COMMIT (one
 * round trip; none when every month is open, as for every sale made now). Answers those of them
 * that are rolled up: the write adds to their month rows.
 */
export async function lockRolledUpMonths(trx: TransactionClientContract, storeId: number, timeZone: string, months: Iterable<string>, nowMs = Date.now()): Promise<Set<string>> {
  const past = [...new Set(months)].filter((month) => !monthIsOpen(month, timeZone, nowMs)).sort()
  if (!past.length) return new Set()
  return lockMarkers(trx, storeId, past, 1)
}

/** Locks the months' markers (made if missing), adding `lateWrites` to each; answers those rolled up */
export async function lockMarkers(trx: TransactionClientContract, storeId: number, months: string[], lateWrites: number): Promise<Set<string>> {
  const forUpdate = trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''
  const [, read] = await runStatements(trx, [
    addToStatement(trx.dialect.name, 'summary_month_rollups', ['store_id', 'month'], months.map((month) => ({ store_id: storeId, month, late_writes: lateWrites }))),
    { sql: `SELECT month FROM summary_month_rollups WHERE store_id = ? AND month IN (${months.map(() => '?').join(', ')}) AND rolled_up_at IS NOT NULL${forUpdate}`, bindings: [storeId, ...months] },
  ])
  return new Set(read.rows.map((row) => String(row.month)))
}
