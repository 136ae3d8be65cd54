import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { readTimestamp } from '#platform/db_time'
import type { OfflineSale } from '#sales/offline_sale_check'

/*
| A sale kept whole for review (a conflict, or handed over behind one) beside the sale that holds its
| number on the server, for a manager to tell "the same sale, its answer lost" (dismiss it) from
| "another sale" (record it as a new sale: held_sale_recorder.ts). The commonest conflict: the till's
| online sale #N was recorded while the answer was lost as the network went; its first offline
| sale took #N again. That one may be the very same sale rung up again, or the next customer's.
*/

/** A sale as the comparison shows it: its lines, payments and seller */
export interface ShownSale {
  id: number | null
  number: number
  at: DateTime
  status: string
  seller: string
  lines: { productId: number; name: string; quantity: number; unitPrice: number; total: number }[]
  payments: { method: string; amount: number }[]
  total: number
}

/** The held sale as its till sent it (a line's total as the server's check priced it) */
export async function heldSaleShown(held: OfflineSale, lineTotals: number[] | null): Promise<ShownSale> {
  const seller = await db.from('users').where('id', held.user_id).select('name').first()
  return {
    id: null,
    number: held.number,
    at: DateTime.fromISO(held.completed_at, { zone: 'utc' }),
    status: 'held',
    seller: seller?.name ?? `user ${held.user_id}`,
    lines: held.items.map((item, index) => ({ productId: item.product_id, name: item.name, quantity: item.quantity, unitPrice: item.unit_price, total: lineTotals?.[index] ?? item.unit_price * item.quantity })),
    payments: held.payments.map((p) => ({ method: p.method, amount: p.amount })),
    total: held.total,
  }
}

/** The sale recorded on the server with this number on this register (null: none has it) */
export async function saleWithNumber(registerId: number, number: number): Promise<ShownSale | null> {
  const sale = await db
    .from('sales')
    .leftJoin('users', 'users.id', 'sales.user_id')
    .where({ 'sales.register_id': registerId, 'sales.number': number })
    .whereIn('sales.status', ['completed', 'voided'])
    .select('sales.id', 'sales.number', 'sales.completed_at', 'sales.status', 'sales.total', 'users.name as seller')
    .first()
  if (!sale) return null
  const [lines, payments] = await Promise.all([
    db.from('sale_items').where('sale_id', sale.id).orderBy('position').orderBy('id').select('product_id', 'name', 'quantity', 'unit_price', 'total'),
    db.from('payments').where({ sale_id: sale.id, status: 'approved' }).orderBy('id').select('method', 'amount'),
  ])
  return {
    id: Number(sale.id),
    number: Number(sale.number),
    at: DateTime.fromJSDate(readTimestamp(sale.completed_at)),
    status: String(sale.status),
    seller: sale.seller ?? '',
    lines: lines.map((l) => ({ productId: Number(l.product_id), name: l.name, quantity: Number(l.quantity), unitPrice: Number(l.unit_price), total: Number(l.total) })),
    payments: payments.map((p) => ({ method: String(p.method), amount: Number(p.amount) })),
    total: Number(sale.total),
  }
}

/**
 * Whether two sales look like one: the same products in the same quantities at the same line
 * totals, and the same total (the order of the lines and how it was paid aside: a card sale whose
 * answer was lost may have been paid again in cash). Only a manager can tell for sure.
 */
export function looksTheSame(a: ShownSale, b: ShownSale): boolean {
  const key = (sale: ShownSale) => sale.lines.map((l) => `${l.productId}x${l.quantity}=${l.total}`).sort().join(',')
  return a.total === b.total && key(a) === key(b)
}
