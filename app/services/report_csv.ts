import Papa from 'papaparse'

/**
 * A table as CSV (papaparse). A text cell starting with = + - @ (or a tab or carriage return)
 * would run as a formula in a spreadsheet: it is prefixed with a quote. Numbers stay numbers.
 */
export function toCsv(columns: { key: string; label: string }[], rows: Record<string, unknown>[]): string {
  const safe = (value: unknown) => (typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value)
  return Papa.unparse({
    fields: columns.map((c) => c.label),
    data: rows.map((row) => columns.map((c) => safe(row[c.key] ?? ''))),
  })
}
