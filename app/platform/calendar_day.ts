import { DateTime } from 'luxon'

/*
| A day typed into a filter or a report's address. Only years a store's books can hold: a day in
| 9999 ran the report's day-by-day loop past 31 December 9999, where luxon writes "+010000-01-01",
| which sorts before "9999-12-31" as text: the loop never ended, and one request held the server
| (every till with it) for minutes, until it ran out of memory.
*/
export const FIRST_YEAR = 2000
export const LAST_YEAR = 2100

/** A "YYYY-MM-DD" that is a real day of the years above, else null */
export function calendarDay(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null
  const year = Number(value.slice(0, 4))
  if (year < FIRST_YEAR || year > LAST_YEAR) return null
  return DateTime.fromISO(value).isValid ? value : null
}

/**
 * What is wrong with a day typed into a filter or an address, said at its field (null: it is a
 * day, or it was left empty). A report or list that quietly showed today instead of a mistyped
 * day was read as that day's.
 */
export function dayError(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null
  return calendarDay(value) ? null : `"${String(value).slice(0, 20)}" is not a day (yyyy-mm-dd) from ${FIRST_YEAR} to ${LAST_YEAR}`
}
