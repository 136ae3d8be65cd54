import db from '@adonisjs/lucid/services/db'
import transmit from '@adonisjs/transmit/services/main'
import logger from '@adonisjs/core/services/logger'
import type { SaleCompletedEvent, SaleRefundedEvent, StockChangedEvent } from '#events/domain_events'

/*
| What the live pages hear. Listeners run after the commit that published the event, so the
| figures read here are the committed ones. Pages apply them to every [data-stock-of] element;
| a page that lost its connection re-reads them from the database (stockLevels) instead of
| trusting missed messages.
*/

/** Beyond this many products a message just says "refresh" (a CSV import, a big stocktake) */
const MAX_PRODUCTS_PER_MESSAGE = 500

export const stockChannel = (storeId: number) => `stores/${storeId}/stock`
export const salesChannel = (storeId: number) => `stores/${storeId}/sales`

export interface StockLevel {
  id: number
  stock: number
  low: boolean
}

/** The committed on-hand figures of some products of a store */
export async function stockLevels(storeId: number, productIds: number[]): Promise<StockLevel[]> {
  const ids = [...new Set(productIds)].filter((id) => Number.isInteger(id) && id > 0).slice(0, MAX_PRODUCTS_PER_MESSAGE)
  if (!ids.length) return []
  const rows = await db.from('products').where('store_id', storeId).whereIn('id', ids).select('id', 'stock', 'low_stock_threshold')
  return rows.map((r) => ({ id: Number(r.id), stock: Number(r.stock), low: Number(r.stock) <= Number(r.low_stock_threshold) }))
}

/** Stock changes of a store wait this long to be merged: in a rush, one read and one message carry many sales */
const MERGE_MS = 10
/**
 * ... and this long while the store's last message merged RUSH_CHANGES or more (a rush): at 400
 * sales a second, 10 ms still meant a read of the levels (a round trip) and a Redis message for
 * every four sales. A sale at a quiet moment still goes out after 10 ms, and the window falls
 * back to it as soon as a message merges fewer.
 */
const RUSH_MERGE_MS = 50
const RUSH_CHANGES = 3

const pendingStock = new Map<string, { productIds: Set<number>; changes: number; sent: Promise<void> }>()
/** How many changes the last message of each store and reason merged */
const lastMerged = new Map<string, number>()

/** Tells the store's pages the new on-hand figures of the products an event changed */
export function broadcastStock(event: StockChangedEvent): Promise<void> {
  const key = `${event.storeId}:${event.reason}`
  let pending = pendingStock.get(key)
  if (!pending) {
    const merged = { productIds: new Set<number>(), changes: 0 }
    const waitMs = (lastMerged.get(key) ?? 0) >= RUSH_CHANGES ? RUSH_MERGE_MS : MERGE_MS
    const sent = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        pendingStock.delete(key)
        lastMerged.set(key, merged.changes)
        sendStock(event.storeId, event.reason, [...merged.productIds]).then(resolve, reject)
      }, waitMs)
    })
    pending = Object.assign(merged, { sent })
    pendingStock.set(key, pending)
  }
  pending.changes++
  for (const id of event.productIds) pending.productIds.add(id)
  return pending.sent
}

async function sendStock(storeId: number, reason: StockChangedEvent['reason'], productIds: number[]) {
  if (productIds.length > MAX_PRODUCTS_PER_MESSAGE) {
    transmit.broadcast(stockChannel(storeId), { reason, refresh: true, at: Date.now() })
    return
  }
  const products = await stockLevels(storeId, productIds)
  transmit.broadcast(stockChannel(storeId), { reason, products: products as any, at: Date.now() })
}

/**
 * A store's completed sales wait this long to go out together. The pages that hear them (the
 * dashboard's ticker and today's takings) read their fragments again on each message: one per
 * sale meant a dashboard fetching hundreds of times a second in a rush, and a Redis message per
 * sale. A quarter of a second is still live to a manager's eye; stock keeps 10 to 50 ms (MERGE_MS).
 */
const SALES_MERGE_MS = 250

export interface SaleHeard {
  saleId: number
  registerId: number
  number: number
  total: number
}

const pendingSales = new Map<number, SaleHeard[]>()

/** Tells the store's pages of a completed sale (with the others of the moment), and its stock */
export async function broadcastSale(event: SaleCompletedEvent) {
  let sales = pendingSales.get(event.storeId)
  if (!sales) {
    const merged: SaleHeard[] = []
    sales = merged
    pendingSales.set(event.storeId, merged)
    setTimeout(() => {
      pendingSales.delete(event.storeId)
      // In a timer nothing awaits it: a failure is logged here, as the listener's would be
      try {
        transmit.broadcast(salesChannel(event.storeId), { sales: merged as any, at: Date.now() })
      } catch (error) {
        logger.error({ err: error }, 'A live update failed')
      }
    }, SALES_MERGE_MS)
  }
  sales.push({ saleId: event.saleId, registerId: event.registerId, number: event.number, total: event.total })
  await broadcastStock({ storeId: event.storeId, reason: 'sale', productIds: event.productIds })
}

/**
 * Tells the store's pages of a refund or an exchange: today's takings are less by it. Refunds are
 * rare enough to go out one by one. The message is on the sales channel, whose pages re-read
 * their fragments on any message (public/js/live.js dispatches pos:sale)
 */
export async function broadcastRefund(event: SaleRefundedEvent) {
  transmit.broadcast(salesChannel(event.storeId), { refunds: [{ refundId: event.refundId, saleId: event.saleId, registerId: event.registerId, total: event.total }], at: Date.now() })
}

/**
 * Tells every page connected to this server, on each channel it listens to, to read its figures
 * again (public/js/live.js: the stock shown, the dashboard's fragments), as it does when its own
 * stream reconnects. Sent here only, not through Redis: the other servers missed nothing.
 */
export function resyncConnectedPages() {
  // One pass over the streams, each told on its own channels (broadcasting per channel walked
  // every stream once per channel). The pages spread their reads over a few seconds (live.js)
  const payload = { resync: true, at: Date.now() }
  for (const [stream, listened] of transmit.getManager().getAllSubscribers()) {
    for (const channel of listened) stream.writeMessage({ data: { channel, payload } })
  }
}

/** The dashboard's ticker: the store's latest completed sales */
export async function latestSales(storeId: number, limit = 8) {
  // With the register's name: each register numbers its own sales, so a number alone is ambiguous
  return db
    .from('sales')
    .join('registers', 'registers.id', 'sales.register_id')
    .where({ 'sales.store_id': storeId, 'sales.status': 'completed' })
    .orderBy('sales.completed_at', 'desc')
    .orderBy('sales.id', 'desc')
    .limit(limit)
    .select('sales.id', 'sales.number', 'sales.total', 'sales.completed_at', 'registers.name as register_name')
}
