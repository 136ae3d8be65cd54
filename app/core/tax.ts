/*
| The types of tax arithmetic, shared by pricing, the tax math and the tax-region plugin contract
| (app/plugins/contracts/tax_region.ts re-exports them, so plugins keep importing that path).
| Amounts are integer minor units; rates are parts per million.
*/

export interface TaxableLine {
  key: string | number
  /** The line's amount after every discount (tax included when pricesIncludeTax) */
  amount: number
  quantity: number
  taxClass: string
}

/** What every tax computation knows; the server's context adds its database client */
export interface BaseTaxContext {
  storeId: number
  pricesIncludeTax: boolean
  customerId?: number | null
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

/** How a discount is written: percent in basis points (12.5% = 1250), or an amount in minor units */
export type DiscountType = 'percent' | 'amount'
