import { roundToIncrement } from './money.js'
import { flatRateTaxes } from './flat_rate.js'
import { priceCart, type PricedCart } from './pricing.js'
import { saleHash } from './sale_chain.js'
import type { DiscountType } from './tax.js'

/*
| A sale made by the offline till, as the browser builds it and the server checks it
| (app/sales/offline_sale_check.ts): priced with the same pricing code at the tax rates of the
| device's catalog copy, paid in full (cash rounding on the cash that settles it), numbered as its
| register's next sale and linked to the previous sale's hash. docs/offline-sync.md has the body.
*/

export interface OfflineItem {
  product_id: number
  name: string
  sku: string
  quantity: number
  list_price: number
  unit_price: number
  tax_class: string
  tax_rate_ppm: number
  discount_type: DiscountType | null
  discount_value: number
}

export interface OfflinePayment {
  method: 'cash' | 'card_external'
  amount: number
  tendered: number | null
  reference: string | null
}

export interface OfflineCartDiscount {
  type: DiscountType | null
  value: number
}

/** The cart priced as the server will check it: each line at the rate its item carries */
export function priceOfflineCart(items: OfflineItem[], cartDiscount: OfflineCartDiscount, store: { id: number; pricesIncludeTax: boolean }): Promise<PricedCart> {
  return priceCart(
    items.map((item, index) => ({ key: index, quantity: item.quantity, unitPrice: item.unit_price, taxClass: item.tax_class, discountType: item.discount_type, discountValue: item.discount_value })),
    cartDiscount,
    { calculate: (lines, context) => ({ lines: flatRateTaxes(lines, (line) => ({ name: line.taxClass, ratePpm: items[Number(line.key)].tax_rate_ppm }), context.pricesIncludeTax) }) },
    { storeId: store.id, pricesIncludeTax: store.pricesIncludeTax }
  )
}

/**
 * What is still due, paid by a method: cash settles the sale rounded to the store's smallest coin
 * (rounding the amount left after the card payments, as the server's check does); a card pays the
 * exact amount left.
 */
export function offlineAmountDue(total: number, payments: OfflinePayment[], method: OfflinePayment['method'], cashRounding: number): number {
  const paid = payments.reduce((sum, p) => sum + p.amount, 0)
  if (method !== 'cash') return Math.max(0, total - paid)
  const nonCash = payments.filter((p) => p.method !== 'cash').reduce((sum, p) => sum + p.amount, 0)
  const cash = paid - nonCash
  return Math.max(0, roundToIncrement(total - nonCash, cashRounding) - cash)
}

/** The cash rounding of a sale paid in full by these payments (0 when a card settled it) */
export function offlineRounding(total: number, payments: OfflinePayment[]): number {
  return payments.reduce((sum, p) => sum + p.amount, 0) - total
}

export interface OfflineSaleDraft {
  client_uuid: string
  device_id: string
  register_id: number
  user_id: number
  completed_at: string
  cart_discount_type: DiscountType | null
  cart_discount_value: number
  items: OfflineItem[]
  payments: OfflinePayment[]
}

export interface OfflineSaleBody extends OfflineSaleDraft {
  number: number
  previous_hash: string | null
  hash: string
  subtotal: number
  discount_total: number
  tax_total: number
  total: number
  rounding: number
}

/** What an offline sale's hash-chain link covers, as the till seals it and the server checks it */
export type HashedOfflineSale = Pick<OfflineSaleBody, 'register_id' | 'number' | 'completed_at' | 'subtotal' | 'discount_total' | 'tax_total' | 'total'> & {
  items: Pick<OfflineItem, 'product_id' | 'quantity' | 'unit_price'>[]
  payments: { method: string; amount: number }[]
}

/** The sale's link on the previous hash; `lineTotals`: each line's total as the pricing makes it */
export function offlineSaleHash(storeId: number, sale: HashedOfflineSale, previousHash: string | null, lineTotals: number[]): string {
  return saleHash(previousHash, {
    storeId,
    registerId: sale.register_id,
    number: sale.number,
    completedAt: sale.completed_at,
    subtotal: sale.subtotal,
    discountTotal: sale.discount_total,
    taxTotal: sale.tax_total,
    total: sale.total,
    items: sale.items.map((item, index) => ({ productId: item.product_id, quantity: item.quantity, unitPrice: item.unit_price, total: lineTotals[index] })),
    payments: sale.payments.map((p) => ({ method: p.method, amount: p.amount })),
  })
}

/** The sale with its number and hash, continuing its register's head (synchronous: it runs inside the IndexedDB transaction that moves the head) */
export function sealOfflineSale(draft: OfflineSaleDraft, priced: PricedCart, head: { last_number: number; last_hash: string | null }, storeId: number): OfflineSaleBody {
  const sealed = {
    ...draft,
    number: head.last_number + 1,
    previous_hash: head.last_hash,
    subtotal: priced.subtotal,
    discount_total: priced.discountTotal,
    tax_total: priced.taxTotal,
    total: priced.total,
    rounding: offlineRounding(priced.total, draft.payments),
  }
  return { ...sealed, hash: offlineSaleHash(storeId, sealed, head.last_hash, priced.lines.map((line) => line.total)) }
}
