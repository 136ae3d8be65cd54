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

/**
 * The time zone of every MySQL/MariaDB session the app opens (SET at connect, config/database.ts).
 * The columns are DATETIME (migration 0148), which the server stores as written; the session's
 * zone still decides what NOW() and CURRENT_TIMESTAMP defaults write, and how a TIMESTAMP column
 * a plugin might still have is read: UTC, as the app writes. Left unset, the server's own zone
 * applied: on a server set to local time the TIMESTAMP columns refused every UTC time of its
 * spring-forward hour (error 1292) and mixed up those of its fall-back hour.
 */
export const MYSQL_SESSION_ZONE = "time_zone = '+00:00'"
