/*
| The tax-region extension point. The core ships a flat-rate calculator; tax-region plugins
| implement the same contract. Amounts are integer minor units; rates are parts per million.
*/
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

export interface TaxableLine {
  key: string | number
  /** The line's amount after every discount (tax included when pricesIncludeTax) */
  amount: number
  quantity: number
  taxClass: string
}

export interface TaxContext {
  storeId: number
  pricesIncludeTax: boolean
  customerId?: number | null
  /** The database client of the sale's transaction: read through it, never around it */
  client?: QueryClientContract
}

export interface LineTax {
  code: string
  name: string
  ratePpm: number
  amount: number
  /** Computed on the amount plus the taxes before it (a tax on tax) */
  compound?: boolean
}

export interface TaxResult {
  /** The taxes of each line, by the line's key */
  lines: Map<string | number, LineTax[]>
}

export type RoundingRule = 'half_up_per_line' | 'half_up_per_document'

export interface TaxCalculator {
  readonly id: string
  readonly rounding: RoundingRule
  /** A region that fixes how prices are written (EU: VAT included) overrides the store's setting */
  readonly pricesIncludeTax?: boolean
  calculate(lines: TaxableLine[], context: TaxContext): TaxResult | Promise<TaxResult>
}
