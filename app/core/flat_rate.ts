import type { LineTax, TaxableLine } from './tax.js'
import { flatLineTax } from './tax_math.js'

/*
| The built-in flat rates: one rate per tax class, rounded half-up per line. The server's
| calculator (app/sales/flat_rate_tax.ts, rates from the database), the check of an offline sale
| (rates as the device had them) and the offline till in the browser (rates from its catalog copy)
| all tax a line here, so they cannot drift apart.
*/
export type FlatRate = { name: string; ratePpm: number }

/** The taxes of each line at its class's rate; a class with no rate (or 0) is untaxed */
export function flatRateTaxes(lines: TaxableLine[], rateOf: (line: TaxableLine) => FlatRate | undefined, pricesIncludeTax: boolean): Map<string | number, LineTax[]> {
  const result = new Map<string | number, LineTax[]>()
  for (const line of lines) {
    const rate = rateOf(line)
    if (!rate || rate.ratePpm === 0) {
      result.set(line.key, [])
      continue
    }
    result.set(line.key, [{ code: line.taxClass, name: rate.name, ratePpm: rate.ratePpm, amount: flatLineTax(line.amount, rate.ratePpm, pricesIncludeTax) }])
  }
  return result
}
