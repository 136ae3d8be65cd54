import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import type { DiscountType } from '#core/tax'
import SaleItem from '#models/sale_item'
import type { PaymentFields, SaleFields } from '#sales/new_sale'
import Store from '#models/store'
import { DomainError, notFound } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import { priceCart } from '#core/pricing'
import { taxCalculatorFor } from '#sales/flat_rate_tax'
import { inTransaction } from '#platform/db_transaction'
import type { Statement } from '#platform/sql_batch'
import { publish } from '#events/domain_events'
import { lineAmounts, pricingInputs, type CartLine } from '#core/cart_lines'
import { MAX_QUANTITY, MAX_UNIT_PRICE } from '#core/money'

/*
| The checkout, in four units around one seam (an open sale, locked, priced by app/core/pricing):
|   cart_service.ts       the till's cart: lines, discounts, price overrides, park, resume, void
|   payment_service.ts    payments taken on an open sale (cash, cards, points), and the one that completes it
|   sale_completion.ts    completing a paid sale in one transaction: number, stock, hash chain, audit
|   checkout_service.ts   the one-call sale of the API and of exchanges: lines and payment together
| This file holds what they share: the requests, the rules on quantities and discounts, pricing a
| sale, locking an open sale, and the event of a completed sale.
*/


/** Runs work in the caller's transaction when given one, else in its own */
export function within<T>(client: TransactionClientContract | null | undefined, work: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
  return client ? work(client) : inTransaction(work)
}

/** The register columns a completing sale reads under the register's row lock */
export interface RegisterRow {
  id: number
  last_sale_number: number
  last_sale_hash: string | null
  open_shift_id: number | null
  /** The device holding the register's offline lease, if any (register_lease_service.ts) */
  lease_device_id: string | null
}

export function registerRow(row: any): RegisterRow {
  if (!row) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
  return { id: Number(row.id), last_sale_number: Number(row.last_sale_number), last_sale_hash: row.last_sale_hash ?? null, open_shift_id: row.open_shift_id ?? null, lease_device_id: row.lease_device_id ?? null }
}

export function customerStatement(storeId: number, customerId: number): Statement {
  return { sql: 'SELECT erased_at FROM customers WHERE id = ? AND store_id = ?', bindings: [customerId, storeId] }
}

/** A customer a sale may be for: the store's (else the caller's error), and not erased */
export function checkCustomer(row: { erased_at: unknown } | undefined, missing: () => DomainError) {
  if (!row) throw missing()
  if (row.erased_at) throw new DomainError('This customer was erased and cannot be added to a sale', { status: 409, code: 'customer_erased', field: 'customer_id' })
}

export interface LineRequest {
  productId: number
  quantity: number
  discountType?: DiscountType | null
  discountValue?: number
}

export interface PaymentRequest {
  method: string
  /** What the sale is credited; for cash defaults to what is due (up to what was tendered) */
  amount?: number | null
  tendered?: number | null
  reference?: string | null
}

export interface PaymentOutcome<P extends PaymentFields = PaymentFields> {
  sale: Sale
  /** A new payment (NewPayment), or the gateway payment approved (a Payment model) */
  payment: P
  completed: boolean
  /** The register's next cart, opened when the payment completed a till sale (its id once committed) */
  nextCart?: Sale
}

/** A gateway payment waits for its terminal: the cart must not change under it */
export function pendingPaymentError() {
  return new DomainError('A card payment is in progress: press its payment method again to see it, then finish or cancel it', {
    status: 409,
    code: 'payment_pending',
  })
}

/** Recomputes every amount of the sale from its lines (pricing is the only place that rounds) */
export async function priceSale(store: Store, sale: SaleFields, items: (SaleItem | CartLine)[], trx: TransactionClientContract) {
  const priced = await priceCart(
    pricingInputs(items),
    { type: sale.cartDiscountType ?? null, value: sale.cartDiscountValue ?? 0 },
    taxCalculatorFor(store.id),
    { storeId: store.id, pricesIncludeTax: store.pricesIncludeTax, customerId: sale.customerId, client: trx }
  )
  // (a SaleItem takes the assignment through its model, a CartLine as plain data)
  lineAmounts(priced).forEach((amounts, index) => Object.assign(items[index], amounts))
  sale.subtotal = priced.subtotal
  sale.discountTotal = priced.discountTotal
  sale.taxTotal = priced.taxTotal
  sale.total = priced.total
  // A changed cart voids an earlier cash rounding; it is worked out again at the next cash payment
  sale.roundingTotal = 0
}

export async function lockOpenSale(actor: Actor, saleId: number, trx: TransactionClientContract) {
  const sale = await Sale.query({ client: trx }).where({ id: saleId, store_id: actor.store.id }).forUpdate().first()
  if (!sale) throw notFound('The sale', 'sale_id')
  if (sale.status !== 'open') {
    throw new DomainError(`This sale is ${sale.status}; it can no longer be changed`, { status: 409, code: `sale_${sale.status}`, field: 'sale_id' })
  }
  return sale
}

export function checkQuantity(quantity: number) {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new DomainError(`The quantity must be a whole number from 1 to ${MAX_QUANTITY}`, { code: 'invalid_quantity', field: 'quantity' })
  }
}

export function checkDiscount(type: DiscountType | null, value: number, field: string) {
  if (!type) return
  const max = type === 'percent' ? 10_000 : MAX_UNIT_PRICE
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new DomainError(
      type === 'percent' ? 'A percent discount must be between 0 and 100' : 'The discount must be a positive amount',
      { code: 'invalid_discount', field }
    )
  }
}

export function publishCompleted(sale: SaleFields, productIds: number[], tenders?: { method: string; amount: number }[]) {
  publish('sale:completed', {
    saleId: sale.id,
    storeId: sale.storeId,
    registerId: sale.registerId,
    number: sale.number!,
    total: sale.total,
    customerId: sale.customerId ?? null,
    productIds: [...new Set(productIds)],
    tenders,
  })
}
