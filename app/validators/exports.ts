import vine from '@vinejs/vine'
import { FIRST_YEAR, LAST_YEAR } from '#platform/calendar_day'

/** An export: which exporter and which of the store's days (the period's rules are in the service) */
export const exportValidator = vine.create({
  exporter: vine.string().trim().maxLength(60),
  from: vine.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/).transform(realDay),
  to: vine.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/).transform(realDay),
})

function realDay(value: string, field: any) {
  const [y, m, d] = value.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < FIRST_YEAR || y > LAST_YEAR) {
    field.report(`Choose a day from ${FIRST_YEAR} to ${LAST_YEAR}`, 'calendar_day', field)
  } else if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    field.report('This is not a day of the calendar (YYYY-MM-DD)', 'calendar_day', field)
  }
  return value
}
