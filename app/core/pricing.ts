import { allocate, mulDivRoundHalfUp, roundToIncrement, MAX_LINE_TOTAL, MAX_SALE_TOTAL } from './money.js'
import type { BaseTaxContext, DiscountType, LineTax, TaxableLine, TaxResult } from './tax.js'

/*
| Pricing is the one place where a cart's amounts are computed. Rule: line discounts first,
| then the cart discount shared across lines in proportion (largest remainder), then taxes
| from the store's tax calculator, each rounded half-up as that calculator says.
| Percent discounts are in basis points (12.5% = 1250). Cash rounding (cashAmountDue) is the last step,
| applied only to what is paid in cash.
| A line past MAX_LINE_TOTAL, a cart past MAX_SALE_TOTAL, or a fixed line discount larger than
| its line is refused (a PricingRefusal, which the app answers as a 422 on the line's field),
| never clamped or left to overflow: lines are keyed by their index, so the field is
| items.<index>.<name> as the API's bodies say. A cart discount stops at the cart (removing a
| line from a discounted cart must still work).
*/

/** A cart that pricing refuses to price; `field` names the input at fault */
export class PricingRefusal extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field: string
  ) {
    super(message)
  }
}

/** What pricing needs of a tax calculator (the plugin contract's TaxCalculator is one) */
export interface TaxCalculation<Context extends BaseTaxContext> {
  readonly pricesIncludeTax?: boolean
  calculate(lines: TaxableLine[], context: Context): TaxResult | Promise<TaxResult>
}

export interface PricedLineInput {
  key: string | number
  quantity: number
  unitPrice: number
  taxClass: string
  discountType: DiscountType | null
  discountValue: number
}

export interface PricedLine {
  key: string | number
  subtotal: number
  lineDiscount: number
  cartDiscountShare: number
  taxes: LineTax[]
  taxTotal: number
  taxRatePpm: number
  total: number
}

export interface PricedCart {
  lines: PricedLine[]
  subtotal: number
  discountTotal: number
  taxTotal: number
  total: number
  taxesByRate: { code: string; name: string; ratePpm: number; amount: number }[]
}

export function discountAmount(base: number, type: DiscountType | null, value: number): number {
  if (!type || value <= 0 || base <= 0) return 0
  if (type === 'percent') return Math.min(base, mulDivRoundHalfUp(base, Math.min(value, 10_000), 10_000))
  return Math.min(base, value)
}

/** What is still owed on a sale, after its payments and cash rounding (never below zero) */
export function balanceDue(sale: { total: number; roundingTotal: number; paidTotal: number }): number {
  return Math.max(0, sale.total + sale.roundingTotal - sale.paidTotal)
}

/** What is due in cash: the amount due rounded to the store's smallest coin (cash_rounding, e.g. 5) */
export function cashAmountDue(due: number, cashRounding: number): number {
  return roundToIncrement(due, cashRounding)
}

/**
 * Whether cash of `amount` covers the balance but not the balance rounded up to the smallest coin
 * (9.69 or 9.68 of 9.68 where the coins are of 5 and 9.70 is due in cash). Such cash can neither
 * settle the sale (in cash it is 9.70) nor be a part payment (it pays the whole total, or more): it
 * is refused, at the till, by the API and on the offline till alike
 */
export function cashShortOfRounding(amount: number, due: number, cashRounding: number): boolean {
  const cashDue = cashAmountDue(due, cashRounding)
  return cashDue > due && amount >= due && amount < cashDue
}

export async function priceCart<Context extends BaseTaxContext>(
  inputs: PricedLineInput[],
  cartDiscount: { type: DiscountType | null; value: number },
  calculator: TaxCalculation<Context>,
  context: Context
): Promise<PricedCart> {
  // A tax region may fix how prices are written (EU VAT: included), whatever the store says
  context = { ...context, pricesIncludeTax: calculator.pricesIncludeTax ?? context.pricesIncludeTax }
  const subtotals = inputs.map((line) => line.quantity * line.unitPrice)
  inputs.forEach((line, i) => checkLine(line, subtotals[i]))
  const lineDiscounts = inputs.map((line, i) => discountAmount(subtotals[i], line.discountType, line.discountValue))
  const afterLine = subtotals.map((s, i) => s - lineDiscounts[i])
  const cartBase = afterLine.reduce((a, b) => a + b, 0)
  const cartDiscountTotal = discountAmount(cartBase, cartDiscount.type, cartDiscount.value)
  const shares = allocate(cartDiscountTotal, afterLine)
  const nets = afterLine.map((a, i) => a - shares[i])

  const taxes = await calculator.calculate(
    inputs.map((line, i) => ({ key: line.key, amount: nets[i], quantity: line.quantity, taxClass: line.taxClass })),
    context
  )

  const byRate = new Map<string, { code: string; name: string; ratePpm: number; amount: number }>()
  const lines = inputs.map((line, i) => {
    const lineTaxes = taxes.lines.get(line.key) ?? []
    const taxTotal = lineTaxes.reduce((a, t) => a + t.amount, 0)
    for (const tax of lineTaxes) {
      const id = `${tax.code}:${tax.ratePpm}`
      const entry = byRate.get(id) ?? { code: tax.code, name: tax.name, ratePpm: tax.ratePpm, amount: 0 }
      entry.amount += tax.amount
      byRate.set(id, entry)
    }
    return {
      key: line.key,
      subtotal: subtotals[i],
      lineDiscount: lineDiscounts[i],
      cartDiscountShare: shares[i],
      taxes: lineTaxes,
      taxTotal,
      taxRatePpm: lineTaxes.reduce((a, t) => a + t.ratePpm, 0),
      total: context.pricesIncludeTax ? nets[i] : nets[i] + taxTotal,
    }
  })

  const total = lines.reduce((a, l) => a + l.total, 0)
  if (total > MAX_SALE_TOTAL) throw new PricingRefusal(`A sale may come to at most ${units(MAX_SALE_TOTAL)}: split it`, 'sale_too_large', 'items')
  return {
    lines,
    subtotal: subtotals.reduce((a, b) => a + b, 0),
    discountTotal: lineDiscounts.reduce((a, b) => a + b, 0) + cartDiscountTotal,
    taxTotal: lines.reduce((a, l) => a + l.taxTotal, 0),
    total,
    taxesByRate: [...byRate.values()],
  }
}

/** Refuses a line past the limit, or a fixed discount larger than the line it is taken from */
function checkLine(line: PricedLineInput, subtotal: number) {
  if (subtotal > MAX_LINE_TOTAL) {
    throw new PricingRefusal(`A line may come to at most ${units(MAX_LINE_TOTAL)}: lower the quantity`, 'line_too_large', `items.${line.key}.quantity`)
  }
  if (line.discountType === 'amount' && line.discountValue > subtotal) {
    throw new PricingRefusal('The discount is more than the line', 'discount_too_large', `items.${line.key}.discount`)
  }
}

/** 10000000000 -> "10,000,000,000 in the currency's smallest unit" (pricing does not know the currency) */
function units(minor: number) {
  return `${minor.toLocaleString('en')} in the currency's smallest unit (cents)`
}
