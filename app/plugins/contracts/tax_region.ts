/*
| The tax-region extension point. The core ships a flat-rate calculator; tax-region plugins
| implement the same contract. Amounts are integer minor units; rates are parts per million.
| The pure types live in app/core/tax.ts; this path re-exports them because plugins import it.
*/
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { BaseTaxContext, RoundingRule, TaxableLine, TaxResult } from '#core/tax'

export type { LineTax, RoundingRule, TaxableLine, TaxResult } from '#core/tax'

export interface TaxContext extends BaseTaxContext {
  /** The database client of the sale's transaction: read through it, never around it */
  client?: QueryClientContract
}

export interface TaxCalculator {
  readonly id: string
  readonly rounding: RoundingRule
  /** A region that fixes how prices are written (EU: VAT included) overrides the store's setting */
  readonly pricesIncludeTax?: boolean
  calculate(lines: TaxableLine[], context: TaxContext): TaxResult | Promise<TaxResult>
}
