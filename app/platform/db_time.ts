import { DateTime } from 'luxon'

/**
 * A timestamp written the way Lucid models write them: 'yyyy-MM-dd HH:mm:ss' in UTC. Raw inserts
 * and range comparisons use it, because SQLite would store a JS Date as a number that the
 * models cannot read back and that never compares with the stored text.
 */
export function dbTimestamp(at: DateTime | Date = new Date()): string {
  // toISOString is UTC already, and many times faster than formatting through luxon
  const iso = (at instanceof Date ? at : at.toJSDate()).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

/** A timestamp column as either driver reads it (mysql2: a Date; SQLite: 'yyyy-MM-dd HH:mm:ss' text in UTC) */
export function readTimestamp(value: unknown): Date {
  if (value instanceof Date) return value
  return new Date(String(value).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(value)) ? '' : 'Z'))
}
