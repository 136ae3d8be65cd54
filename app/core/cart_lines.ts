import type { PricedCart, PricedLineInput } from './pricing.js'
import type { DiscountType, LineTax } from './tax.js'

/*
| A line of a cart as plain data, and its arithmetic: what a new line holds, how many of a product
| a cart has, what pricing is given and what it writes back. The server's rows of sale_items
| (app/sales/cart_line_rows.ts) and the browser's offline cart use the same shape.
*/

export interface CartLine {
  /** 0 until the line is written */
  id: number
  saleId: number
  productId: number
  name: string
  sku: string
  quantity: number
  listPrice: number
  unitPrice: number
  priceOverrideBy: number | null
  discountType: DiscountType | null
  discountValue: number
  lineDiscount: number
  cartDiscountShare: number
  taxClass: string
  taxRatePpm: number
  taxTotal: number
  taxes: LineTax[] | null
  subtotal: number
  total: number
  position: number
}

/** A line added to the cart: its amounts are filled in by pricing */
export function newCartLine(fields: Pick<CartLine, 'saleId' | 'productId' | 'name' | 'sku' | 'quantity' | 'unitPrice' | 'taxClass' | 'position'>): CartLine {
  return {
    id: 0,
    listPrice: fields.unitPrice,
    priceOverrideBy: null,
    discountType: null,
    discountValue: 0,
    lineDiscount: 0,
    cartDiscountShare: 0,
    taxRatePpm: 0,
    taxTotal: 0,
    taxes: null,
    subtotal: 0,
    total: 0,
    ...fields,
  }
}

/** How many of a product the cart holds over all its lines */
export function quantityInCart(lines: Pick<CartLine, 'productId' | 'quantity'>[], productId: number): number {
  return lines.filter((line) => line.productId === productId).reduce((sum, line) => sum + line.quantity, 0)
}

type PricedFields = Pick<CartLine, 'quantity' | 'unitPrice' | 'taxClass' | 'discountType' | 'discountValue'>

/** What pricing is given of the lines, keyed by their position in the list */
export function pricingInputs(lines: PricedFields[]): PricedLineInput[] {
  return lines.map((line, index) => ({
    key: index,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    taxClass: line.taxClass,
    discountType: line.discountType,
    discountValue: line.discountValue,
  }))
}

export type LineAmounts = Pick<CartLine, 'subtotal' | 'lineDiscount' | 'cartDiscountShare' | 'taxTotal' | 'taxRatePpm' | 'taxes' | 'total'>

/** The amounts pricing worked out for each line, in the order of pricingInputs */
export function lineAmounts(priced: PricedCart): LineAmounts[] {
  return priced.lines.map((line) => ({
    subtotal: line.subtotal,
    lineDiscount: line.lineDiscount,
    cartDiscountShare: line.cartDiscountShare,
    taxTotal: line.taxTotal,
    taxRatePpm: line.taxRatePpm,
    taxes: line.taxes,
    total: line.total,
  }))
}
