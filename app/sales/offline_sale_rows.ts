import { DateTime } from 'luxon'
import Sale from '#models/sale'
import { dbTimestamp } from '#platform/db_time'
import { rowTime } from '#platform/row_time'
import { insertStatement, modelInsert, type InsertedId, type Statement } from '#platform/sql_batch'
import { cleanReference, MAX_REFERENCE, type OfflineSale, type PricedOfflineSale } from '#sales/offline_sale_check'
import { discountShareBp, discountsWithin } from '#core/discount_share'
import { discountedSale, percentText } from '#sales/discount_limit'
import type { LeaseSellers } from '#sales/register_lease_service'

/*
| The rows a synced offline sale writes, built for a batch of them (offline_sync_service.ts): the
| sale's own INSERT (one row each, so the lines can take its id from it), and the lines, payments,
| stock movements and review rows of every sale of the batch, each table in one multi-row INSERT.
| Also what the sale differs in from the back office today (the review list), per sale in order,
| on the stock as the sales before it in the batch left it.
*/

export type Review = { kind: string; message: string; detail?: unknown }

/** A sale of the batch that is recorded: what was checked, and the id its INSERT gives it */
export interface RecordedSale {
  sale: OfflineSale
  priced: PricedOfflineSale
  sellerId: number
  saleId: InsertedId
  reviews: Review[]
}

/** The units of each product a sale takes, by product id */
export function unitsByProduct(sale: OfflineSale) {
  const units = new Map<number, number>()
  for (const item of sale.items) units.set(item.product_id, (units.get(item.product_id) ?? 0) + item.quantity)
  return units
}

/**
 * What a recorded offline sale differs in from the back office: a product taken off sale, another
 * list price or tax rate, stock gone below zero (`stock` is the running stock, moved here)
 */
export function reviewsOf(sale: OfflineSale, products: Map<number, any>, rates: Map<string, { ratePpm: number }>, stock: Map<number, number>): Review[] {
  const reviews: Review[] = []
  for (const item of sale.items) {
    const product = products.get(item.product_id)
    if (!Number(product.active) || product.archived_at) reviews.push({ kind: 'product_archived', message: `${product.name} was sold offline after it was taken off sale` })
    if (Number(product.price) !== item.list_price) reviews.push({ kind: 'price_changed', message: `${product.name} was sold offline at ${item.list_price} (list); the price is now ${product.price}`, detail: { productId: item.product_id, soldAt: item.list_price, now: Number(product.price) } })
    // The product's tax class now, not the one the till sent: a product moved to another class
    // since the till's copy was taken was taxed at the old class's rate, and nothing said so
    const rate = rates.get(product.tax_class)?.ratePpm ?? 0
    if (rate !== item.tax_rate_ppm || product.tax_class !== item.tax_class) {
      reviews.push({ kind: 'tax_changed', message: `${product.name} was taxed offline at ${item.tax_rate_ppm / 10_000}% (${item.tax_class}); it is now ${rate / 10_000}% (${product.tax_class})` })
    }
  }
  // A reference recorded other than it was sent (cleanReference): what the till sent is kept here
  for (const payment of sale.payments) {
    const recorded = cleanReference(payment.reference)
    if (recorded === payment.reference) continue
    const sent = JSON.stringify(payment.reference)
    reviews.push({
      kind: 'reference_cleaned',
      message: `Sale #${sale.number}: a payment reference held control characters or was over ${MAX_REFERENCE} characters; recorded as ${recorded === null ? 'none' : JSON.stringify(recorded)}, sent ${sent.length > 80 ? `${sent.slice(0, 80)}…` : sent}`,
      detail: { sent: payment.reference, recorded },
    })
  }
  // The stock moves whatever it was: an offline sale is a fact (negative stock is reviewed)
  for (const [productId, quantity] of [...unitsByProduct(sale)].sort(([a], [b]) => a - b)) {
    const left = stock.get(productId)! - quantity
    stock.set(productId, left)
    if (left < 0) reviews.push({ kind: 'negative_stock', message: `${products.get(productId).name}: stock went to ${left} with this offline sale`, detail: { productId, stock: left } })
  }
  return reviews
}

/**
 * A cashier's offline sale discounted past the store's limit (discount_limit.ts): recorded (the
 * goods are gone), and reviewed, since no manager could approve it offline. The till refuses such
 * a discount to a cashier; this catches a till of an older version or one tampered with.
 */
export function discountReview(sale: OfflineSale, limitBp: number): Review[] {
  const lines = sale.items.map((item) => ({ discountType: item.discount_type, discountValue: item.discount_value }))
  const discounted = discountedSale({ subtotal: sale.subtotal, discountTotal: sale.discount_total, cartDiscountType: sale.cart_discount_type, cartDiscountValue: sale.cart_discount_value }, lines)
  if (discountsWithin(discounted, limitBp)) return []
  const share = discountShareBp(sale.subtotal, sale.discount_total)
  return [{ kind: 'discount_over_limit', message: `Sold offline at ${percentText(share)} off, past the cashier limit of ${percentText(limitBp)}, with no manager's approval the server could check`, detail: { shareBp: share, limitBp } }]
}

/**
 * A sale recorded in a manager's name, sent by someone else (register_lease_service.ts,
 * namedByTill): recorded, and reviewed, since only the till says it was the manager's
 */
export function handoverReview(sale: OfflineSale): Review[] {
  return [{ kind: 'seller_handover', message: `Sale #${sale.number} was sent by someone else in the name of a manager who used this till: check it was theirs`, detail: { sellerId: sale.user_id, completedAt: sale.completed_at } }]
}

/**
 * How far ahead of the server's clock a sale may be dated without a word: a till corrects its clock
 * to the server's at each lease renewal when it is over a minute off (docs/offline-sync.md)
 */
const AHEAD_MS = 5 * 60_000

/**
 * A sale dated after it reached the server, by less than the day past which it is refused
 * (clockProblem): its till's clock ran ahead (changed while offline), or the till was tampered
 * with. Recorded on the hour and day it says, so it shows there in the reports, and reviewed.
 */
export function datedAheadReview(sale: OfflineSale, now = Date.now()): Review[] {
  if (Date.parse(sale.completed_at) <= now + AHEAD_MS) return []
  return [{ kind: 'dated_ahead', message: `Sale #${sale.number} is dated ${sale.completed_at}, after it reached the server: its till's clock ran ahead, and the reports show it then`, detail: { completedAt: sale.completed_at, receivedAt: new Date(now).toISOString() } }]
}

/**
 * How far before the previous sale of its register a sale may be dated without a word: a till
 * keeps its clock within a minute of the server's (it takes the offset past a minute at each lease
 * renewal, docs/offline-sync.md), so its first offline sale may be stamped a little before the
 * online sale just made on the server's clock
 */
const BEFORE_PREVIOUS_MS = 2 * 60_000

/**
 * A sale dated before the sale before it in its register's chain (the till numbers and links its
 * sales in the order it makes them): its till's clock was set back while it was offline, or the
 * till was tampered with to put sales on earlier hours. Recorded on the time it says, so the
 * reports show it then, and reviewed (`dated_before_last`: a review's kind is at most 20 characters).
 * `previousAt` is the previous sale's time (ms), null for none.
 */
export function datedBeforePreviousReview(sale: OfflineSale, previousAt: number | null): Review[] {
  const madeAt = Date.parse(sale.completed_at)
  if (previousAt === null || !(madeAt < previousAt - BEFORE_PREVIOUS_MS)) return []
  const previous = new Date(previousAt).toISOString()
  return [{ kind: 'dated_before_last', message: `Sale #${sale.number} is dated ${sale.completed_at}, before sale #${sale.number - 1} of its register (${previous}): its till's clock was set back, and the reports show it then`.slice(0, 255), detail: { completedAt: sale.completed_at, previousAt: previous } }]
}

/** The INSERT of the sale itself, as the model would write it */
export function saleInsert(storeId: number, shiftId: number | null, recorded: Omit<RecordedSale, 'saleId' | 'reviews'>): Statement {
  const { sale, sellerId } = recorded
  return modelInsert(
    new Sale().merge({
      storeId,
      registerId: sale.register_id,
      userId: sellerId,
      customerId: null,
      shiftId,
      status: 'completed',
      channel: 'offline',
      number: sale.number,
      subtotal: sale.subtotal,
      discountTotal: sale.discount_total,
      taxTotal: sale.tax_total,
      total: sale.total,
      paidTotal: sale.payments.reduce((sum, p) => sum + p.amount, 0),
      changeDue: sale.payments.reduce((sum, p) => sum + (p.method === 'cash' ? (p.tendered ?? p.amount) - p.amount : 0), 0),
      roundingTotal: sale.rounding,
      cartDiscountType: sale.cart_discount_type,
      cartDiscountValue: sale.cart_discount_value,
      previousHash: sale.previous_hash,
      hash: sale.hash,
      completedAt: completedAtOf(sale),
      clientUuid: sale.client_uuid,
      deviceId: sale.device_id,
    })
  )
}

export function completedAtOf(sale: OfflineSale) {
  return DateTime.fromISO(sale.completed_at, { zone: 'utc' })
}

/**
 * The lines, payments and stock movements of every recorded sale of the batch: one INSERT per table
 * (or per chunk). A line is named by its product as the server has it (`products`, by id): the
 * name and SKU a till sends only showed on its screen, and are not its to choose.
 */
export function rowStatements(storeId: number, recorded: RecordedSale[], products: Map<number, { name: string; sku: string }>): Statement[] {
  const now = dbTimestamp()
  const items = recorded.flatMap(({ sale, priced, saleId }) =>
    sale.items.map((item, position) => ({
      sale_id: saleId,
      product_id: item.product_id,
      name: products.get(item.product_id)!.name,
      sku: products.get(item.product_id)!.sku,
      quantity: item.quantity,
      list_price: item.list_price,
      unit_price: item.unit_price,
      discount_type: item.discount_type,
      discount_value: item.discount_value,
      line_discount: priced.lines[position].lineDiscount,
      cart_discount_share: priced.lines[position].cartDiscountShare,
      tax_class: item.tax_class,
      tax_rate_ppm: item.tax_rate_ppm,
      tax_total: priced.lines[position].taxTotal,
      subtotal: priced.lines[position].subtotal,
      total: priced.lines[position].total,
      position,
      created_at: now,
      updated_at: now,
    }))
  )
  const payments = recorded.flatMap(({ sale, sellerId, saleId }) =>
    sale.payments.map((p) => ({
      sale_id: saleId,
      store_id: storeId,
      user_id: sellerId,
      method: p.method,
      amount: p.amount,
      tendered: p.method === 'cash' ? (p.tendered ?? p.amount) : null,
      change: p.method === 'cash' ? (p.tendered ?? p.amount) - p.amount : 0,
      reference: cleanReference(p.reference),
      status: 'approved',
      created_at: dbTimestamp(completedAtOf(sale)),
      updated_at: now,
    }))
  )
  const movements = recorded.flatMap(({ sale, sellerId, saleId }) =>
    [...unitsByProduct(sale)]
      .sort(([a], [b]) => a - b)
      .map(([productId, quantity]) => ({ store_id: storeId, product_id: productId, quantity: -quantity, reason: 'sale', sale_id: saleId, user_id: sellerId, created_at: dbTimestamp(completedAtOf(sale)) }))
  )
  return [...chunkedInsert('sale_items', items), ...chunkedInsert('payments', payments), ...chunkedInsert('stock_movements', movements)]
}

/**
 * The review rows of a sale (one per kind not reviewed yet for its UUID). `sent`: of a sale kept
 * whole (a conflict), who sent it and the register's lease then (mayNameSeller's inputs)
 */
export function reviewRows(storeId: number, sale: OfflineSale, saleId: number | InsertedId | null, reviews: Review[], reviewed: Set<string>, sent?: { by: number; lease: LeaseSellers }) {
  const fresh = reviews.filter((r, i) => !reviewed.has(r.kind) && reviews.findIndex((o) => o.kind === r.kind) === i)
  return fresh.map((r) => ({
    store_id: storeId,
    register_id: sale.register_id,
    sale_id: saleId,
    client_uuid: sale.client_uuid,
    kind: r.kind,
    message: reviews.filter((o) => o.kind === r.kind).map((o) => o.message).join('; ').slice(0, 255),
    detail: r.detail === undefined ? null : JSON.stringify(r.detail),
    created_at: dbTimestamp(),
    sent_by: sent?.by ?? null,
    sent_lease: sent ? JSON.stringify(sent.lease) : null,
  }))
}

// SQLite takes at most 32,766 values in one statement; MariaDB has no such limit here (the
// values are written into the text by mysql2), but one rule for both keeps it simple
const MAX_BINDINGS = 30_000

/** Multi-row INSERTs of at most MAX_BINDINGS values each (none for no rows) */
export function chunkedInsert(table: string, rows: Record<string, unknown>[]): Statement[] {
  if (!rows.length) return []
  const perStatement = Math.max(1, Math.floor(MAX_BINDINGS / Object.keys(rows[0]).length))
  const statements: Statement[] = []
  for (let start = 0; start < rows.length; start += perStatement) statements.push(insertStatement(table, rows.slice(start, start + perStatement)))
  return statements
}

/** How far a till's clock may lag the server's for a sale made just after its shift opened */
const CLOCK_SKEW_MS = 10 * 60_000

/**
 * The shift a sale made offline belongs to: the register's shift open when it was made, if that
 * one is still open. It went to whichever shift was open when it synced, so the cash of a drawer
 * counted and closed showed up as over in the next one's. A sale made in a shift closed before it
 * synced, or when none was open, is in no shift, and goes to the review list
 */
export function shiftOf(sale: OfflineSale, shifts: { id: number; opened_at: unknown; closed_at: unknown }[], openShiftId: number | null): { id: number | null; review?: Review } {
  const madeAt = completedAtOf(sale).toMillis()
  const during = shifts.find((shift) => rowTime(shift.opened_at)!.toMillis() <= madeAt && (shift.closed_at === null || rowTime(shift.closed_at)!.toMillis() > madeAt))
  if (during && Number(during.id) === Number(openShiftId)) return { id: Number(during.id) }
  // The till's clock runs on its own: a sale stamped a few minutes before the open shift began,
  // when no shift was open, is that shift's (a till 60 s slow put its first sales in none)
  const open = shifts.find((shift) => Number(shift.id) === Number(openShiftId))
  if (!during && open && rowTime(open.opened_at)!.toMillis() - madeAt <= CLOCK_SKEW_MS) return { id: Number(open.id) }
  const message = during
    ? `Sale #${sale.number} was made offline in shift #${during.id}, closed before the sale synced: its takings are in no Z report (that drawer's count may show them as over)`
    : `Sale #${sale.number} was made offline when no shift was open on its register: its takings are in no shift`
  return { id: null, review: { kind: 'shift_closed', message } }
}
