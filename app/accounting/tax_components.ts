import type { LineTax } from '#core/tax'
import type { BookSaleLine } from '#plugins/contracts/accounting_export'

/*
| The taxes of a sale line, one by one. A tax region that stacks taxes (US sales tax: state,
| county, city) keeps each line's components in `sale_items.taxes` (JSON, migration 0041); the
| line's tax_class and tax_rate_ppm only say their sum. The books and the Z report list such a
| line's tax per component, each under its own name and rate, with the amounts the line kept.
| A line with one tax (the store's flat rates) is listed by its class and rate, as it always was.
*/

/** The taxes of a line as stored: a JSON array, or null for a line written before they were kept */
export type StoredTaxes = string | LineTax[] | null | undefined

/**
 * SQL that is true for a line with more than one tax. JSON.stringify writes the array without
 * spaces, so "},{" stands only between two components; a test of the text needs no JSON
 * function (SQLite and MariaDB spell those differently) and costs little on the lines of one tax
 */
export function stackedTaxesSql(column: string): string {
  return `(${column} is not null and ${column} like '%},{%')`
}

/** The components of a line with more than one tax; null for a line of one tax (or none) */
export function stackedTaxes(stored: StoredTaxes): LineTax[] | null {
  if (!stored) return null
  if (typeof stored === 'string' && !stored.includes('},{')) return null
  const taxes: LineTax[] = typeof stored === 'string' ? JSON.parse(stored) : stored
  return taxes.length > 1 ? taxes : null
}

/** A stacked line's taxes for the sales lines (a line of one tax has none: its code and rate say it) */
export function stackedLineTaxes(stored: StoredTaxes): Pick<BookSaleLine, 'taxes'> {
  const taxes = stackedTaxes(stored)
  return taxes ? { taxes: taxes.map((t) => ({ code: t.code, name: t.name, ratePpm: t.ratePpm, amount: t.amount })) } : {}
}

/**
 * A refund's tax split across the components of the line it returns, in proportion to the
 * components' amounts on the line; what the rounding down leaves goes to the largest, so the
 * parts add up exactly to the refund's tax. BigInt: amount x amount may pass 2^53.
 */
export function splitRefundTax(components: LineTax[], refundTax: number): LineTax[] {
  const whole = components.reduce((sum, c) => sum + c.amount, 0)
  let largest = 0
  components.forEach((c, i) => {
    if (Math.abs(c.amount) > Math.abs(components[largest].amount)) largest = i
  })
  const parts = components.map((c) => {
    if (whole === 0) return 0
    // Toward zero, so a part is never more than its share whatever the signs
    return Number((BigInt(refundTax) * BigInt(c.amount)) / BigInt(whole))
  })
  parts[largest] += refundTax - parts.reduce((sum, p) => sum + p, 0)
  return components.map((c, i) => ({ code: c.code, name: c.name, ratePpm: c.ratePpm, amount: parts[i] }))
}
