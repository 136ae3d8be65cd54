import { DateTime } from 'luxon'

/**
 * A timestamp read by a raw query: MySQL gives a Date, SQLite the 'yyyy-MM-dd HH:mm:ss' text
 * that dbTimestamp() wrote, both in UTC.
 */
export function rowTime(value: unknown): DateTime | null {
  if (value === null || value === undefined || value === '') return null
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: 'utc' })
  if (typeof value === 'number') return DateTime.fromMillis(value, { zone: 'utc' })
  return DateTime.fromSQL(String(value), { zone: 'utc' })
}
