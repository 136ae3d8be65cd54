import { DateTime } from 'luxon'

/**
 * A timestamp written the way Lucid models write them: 'yyyy-MM-dd HH:mm:ss' in UTC. Raw inserts
 * and range comparisons use it, because SQLite would store a JS Date as a number that the
 * models cannot read back and that never compares with the stored text.
 */
export function dbTimestamp(at: DateTime | Date = DateTime.utc()): string {
  const time = at instanceof Date ? DateTime.fromJSDate(at) : at
  return time.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
}
