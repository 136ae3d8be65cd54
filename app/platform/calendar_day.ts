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

/**
 * The days of a back-office list's filter (`?from=&to=` of the sales list and the refunds list):
 * one parser, so the lists take the same days and refuse the same ones with the same words (the
 * refunds list refused the wrong way round, more than 366 days, and a last day alone more than 30
 * days back, which the sales list listed). Either end alone is that one day (as in the reports);
 * both the wrong way round are put in order, and the form shows them so; neither is the list's own
 * days (`none`). A day that is not one is an error at its field, and the caller lists nothing: a
 * list of other days than typed is read as theirs. `shown`: what the form's fields show (the text
 * typed at a field in error).
 */
export function listDays(qs: Record<string, unknown>, none: { from: string; to: string }) {
  const errors: { from?: string; to?: string } = {}
  for (const field of ['from', 'to'] as const) {
    const problem = dayError(qs[field])
    if (problem) errors[field] = problem
  }
  let from = calendarDay(qs.from) ?? calendarDay(qs.to) ?? none.from
  let to = calendarDay(qs.to) ?? calendarDay(qs.from) ?? none.to
  if (from > to) [from, to] = [to, from]
  const typed = (field: 'from' | 'to', day: string) => (errors[field] && typeof qs[field] === 'string' ? (qs[field] as string) : day)
  return { from, to, errors: errors.from || errors.to ? errors : null, shown: { from: typed('from', from), to: typed('to', to) } }
}
