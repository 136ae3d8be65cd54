import { priceCart } from '#core/pricing'
import { roundToIncrement } from '#core/money'
import { offlineSaleHash } from '#core/offline_sale'
import { flatRateTaxes } from '#core/flat_rate'
import type { TaxCalculator } from '#plugins/contracts/tax_region'
import type { Infer } from '@vinejs/vine/types'
import type { offlineSalesValidator } from '#validators/offline'

/*
| Is an offline sale what the till's own rules make of its lines? The device priced it with the
| same pricing code and the tax rates of its catalog copy, paid it, and linked it to the chain:
| the server runs the same computation on the lines as sent and must land on the same cents and
| the same hash. A sale that does not is forged or tampered with, and refused whole.
| (Whether those prices and rates are still today's is another question: offline_sync_service.ts
| records the sale as the fact it is and lists the differences for a manager.)
*/

export type OfflineSale = Infer<typeof offlineSalesValidator>['sales'][number]

/** The tax rates the device's catalog held, per line, as a calculator (flat rate, half-up per line) */
function snapshotRates(sale: OfflineSale): TaxCalculator {
  return {
    id: 'offline-snapshot',
    rounding: 'half_up_per_line',
    calculate(lines, context) {
      const rateOf = (line: { key: string | number; taxClass: string }) => ({ name: line.taxClass, ratePpm: sale.items[Number(line.key)].tax_rate_ppm })
      return { lines: flatRateTaxes(lines, rateOf, context.pricesIncludeTax) }
    },
  }
}

export type PricedOfflineSale = Awaited<ReturnType<typeof priceCart>>

/** The sale priced by its own lines, and the first thing about it that does not add up (null when all of it does) */
export async function checkOfflineSale(sale: OfflineSale, store: { id: number; pricesIncludeTax: boolean; cashRounding: number }): Promise<{ priced: PricedOfflineSale | null; problem: { field: string; message: string } | null }> {
  // The shape was checked (offlineSaleFields); a date no clock shows (Feb 30, hour 25) was made up
  const at = new Date(sale.completed_at)
  if (Number.isNaN(at.getTime()) || at.toISOString() !== sale.completed_at) return { priced: null, problem: { field: 'completed_at', message: `its time ${sale.completed_at} is not a real date` } }
  // The till sells at the catalog's price: it has no price override offline (that needs a manager online)
  const overridden = sale.items.findIndex((item) => item.unit_price !== item.list_price)
  if (overridden >= 0) {
    const item = sale.items[overridden]
    return { priced: null, problem: { field: `items.${overridden}.unit_price`, message: `a line is sold at ${item.unit_price}, not its list price ${item.list_price} (the offline till does not change prices)` } }
  }
  // A percentage past 100% (in basis points) is named on its field; the totals it made were
  // refused on the hash, "its discount total is 0, its lines make 298"
  const overPercent = sale.items.findIndex((item) => item.discount_type === 'percent' && item.discount_value > 10_000)
  if (overPercent >= 0) return { priced: null, problem: { field: `items.${overPercent}.discount_value`, message: 'a line is discounted by more than 100%' } }
  if (sale.cart_discount_type === 'percent' && sale.cart_discount_value > 10_000) return { priced: null, problem: { field: 'cart_discount_value', message: 'the cart is discounted by more than 100%' } }
  const priced = await priceOfflineSale(sale, store)
  const problem = problemOf(sale, priced, store)
  return { priced, problem: problem ? { field: 'hash', message: problem } : null }
}

function priceOfflineSale(sale: OfflineSale, store: { id: number; pricesIncludeTax: boolean }) {
  return priceCart(
    sale.items.map((item, index) => ({
      key: index,
      quantity: item.quantity,
      unitPrice: item.unit_price,
      taxClass: item.tax_class,
      discountType: item.discount_type,
      discountValue: item.discount_value,
    })),
    { type: sale.cart_discount_type, value: sale.cart_discount_value },
    snapshotRates(sale),
    { storeId: store.id, pricesIncludeTax: store.pricesIncludeTax }
  )
}

/** Characters a payment reference does not keep: control characters (an ESC, a NUL: bytes of printer commands), separators, text-direction overrides (validators/fields.ts) */
const NOT_IN_A_REFERENCE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g
/** A payment's reference column */
export const MAX_REFERENCE = 120

/**
 * An offline payment's reference as it is recorded: without the characters above, trimmed, at most
 * MAX_REFERENCE characters (null when nothing is left). The till's approval field refuses such text
 * as it is typed; one that reaches the server anyway (an older till, a scanner's control codes)
 * does not cost the sale, which was paid: it is recorded with this, and reviewed (docs/offline-sync.md).
 * The reference is not part of the sale's hash, which stays the one the till sealed.
 */
export function cleanReference(reference: string | null): string | null {
  if (reference === null) return null
  const cleaned = Array.from(reference.replace(NOT_IN_A_REFERENCE, '').trim()).slice(0, MAX_REFERENCE).join('').trim()
  return cleaned || null
}

const DAY_MS = 86_400_000

/**
 * Why an offline sale's number is not the register's next one, in words a manager can act on. A
 * register this very till holds can only have moved on through this till (a sale, refund or void
 * from elsewhere is refused on it: refuseLeasedElsewhere): most likely its own online sale was
 * recorded while the answer was lost as the network went, and the offline sale took that number
 * again. It said "Someone sold on this register meanwhile", which sent the manager looking for
 * another till that never sold.
 */
export function registerConflictMessage(sale: Pick<OfflineSale, 'number' | 'device_id'>, expected: number, leaseDeviceId: string | null): string {
  const moved = `Register sale #${sale.number} made offline cannot be recorded: the register's next number is #${expected}${sale.number === expected ? ', and its chain has moved on' : ''}.`
  const why = leaseDeviceId && leaseDeviceId === sale.device_id
    ? 'A sale, refund or void was recorded online from this same till after the till last heard from the server (an answer lost as the network went, most likely).'
    : 'Someone sold on this register meanwhile.'
  return `${moved} ${why} The sale is kept for a manager to review.`
}

/**
 * Why an offline sale's time cannot be when it was made (null when it can): a day ahead of the
 * server's clock, or over a year back (a till whose clock was reset reads 1970 or 2000). Such a
 * sale would land on a day no report looks at; it is kept for review instead (offline_sync_service.ts).
 */
export function clockProblem(sale: Pick<OfflineSale, 'completed_at'>, now = Date.now()): string | null {
  const at = Date.parse(sale.completed_at)
  if (at > now + DAY_MS) return `it is dated ${sale.completed_at}, ahead of the server's clock`
  if (at < now - 366 * DAY_MS) return `it is dated ${sale.completed_at}, over a year ago`
  return null
}

function problemOf(sale: OfflineSale, priced: PricedOfflineSale, store: { id: number; cashRounding: number }): string | null {
  for (const field of ['subtotal', 'discount_total', 'tax_total', 'total'] as const) {
    const computed = { subtotal: priced.subtotal, discount_total: priced.discountTotal, tax_total: priced.taxTotal, total: priced.total }[field]
    if (computed !== sale[field]) return `its ${field.replace('_', ' ')} is ${sale[field]}, its lines make ${computed}`
  }

  // Paid in full: the last payment settles it, cash rounded to the store's smallest coin
  const paid = sale.payments.reduce((sum, p) => sum + p.amount, 0)
  if (paid !== sale.total + sale.rounding) return `its payments add up to ${paid}, not ${sale.total + sale.rounding}`
  // Cash that settles the sale pays what was left after the other tenders, rounded to the coin
  // (core/offline_sale.ts, offlineAmountDue); a sale a card settled is not rounded
  const settledByCash = sale.payments.at(-1)?.method === 'cash'
  const dueBeforeCash = sale.total - sale.payments.filter((p) => p.method !== 'cash').reduce((sum, p) => sum + p.amount, 0)
  const rounding = settledByCash ? roundToIncrement(dueBeforeCash, store.cashRounding) - dueBeforeCash : 0
  if (sale.rounding !== rounding) return `its cash rounding is ${sale.rounding}, the store's rounding makes ${rounding}`
  for (const payment of sale.payments) {
    // A sale of nothing to pay (free items) is settled by its one payment of nothing, as online
    if (payment.amount < 0 || (payment.amount === 0 && !(sale.total === 0 && sale.payments.length === 1))) return 'a payment is of nothing'
    if (payment.method === 'cash' && (payment.tendered ?? payment.amount) < payment.amount) return 'cash tendered is below the amount paid'
    if (payment.method === 'card_external' && !payment.reference) return 'a card payment has no approval code'
  }

  const hash = offlineSaleHash(store.id, sale, sale.previous_hash, priced.lines.map((line) => line.total))
  if (hash !== sale.hash) return 'its hash is not the hash of its content and the previous sale'
  return null
}

/**
 * The HTTP status each refused or conflicting sale of a sync answers in its own `error.status` (the
 * batch itself is a 200, one result per sale): 409 for a conflict with what the server holds (the
 * register's chain, its lease, a client_uuid taken by another sale), 403 for a seller who may not
 * be named or did not sell then, or a sale of another store, 422 for a sale its checks refuse
 */
export function refusalStatus(outcome: string, error: { code: string; field: string }) {
  if (outcome === 'conflict' || error.code === 'client_uuid_reused') return 409
  if (error.field === 'user_id' || error.code === 'store_mismatch') return 403
  return 422
}
