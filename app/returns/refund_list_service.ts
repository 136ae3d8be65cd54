import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import Refund from '#models/refund'
import SalesQueryService from '#sales/sales_query_service'
import { paymentMethodLabel } from '#sales/payment_methods'
import { dbTimestamp } from '#platform/db_time'
import { minorToDecimal } from '#core/money'
import { wallClock } from '#platform/wall_clock'

/*
| The back office's list of refunds (Refunds, for those who read reports): who gave what back,
| at which register, for how much, in which tender and why, over the store's days. Returns without
| a receipt (no_receipt_refund_service.ts) have no sale to be found from, so this list is where a
| manager reviewing shrinkage finds them (the filter "without a receipt"); its CSV holds the same.
*/

export const RECEIPT_FILTERS = ['all', 'without', 'with'] as const
export type ReceiptFilter = (typeof RECEIPT_FILTERS)[number]

export interface RefundFilters {
  /** The store's days, inclusive, YYYY-MM-DD */
  from: string
  to: string
  receipt: ReceiptFilter
  registerId?: number
  userId?: number
}

export interface RefundRow {
  id: number
  /** Local time in the store's zone, yyyy-MM-dd HH:mm (with its UTC offset in the hour the clocks go back, which reads twice) */
  time: string
  /** The same, always without the offset, and the offset apart (UTC+02:00, not +02:00, which a spreadsheet takes for a formula): the CSV's two columns */
  localTime: string
  utcOffset: string
  saleId: number | null
  saleNumber: number | null
  register: string
  user: string
  approvedBy: string
  kind: 'refund' | 'exchange'
  /** "2 × Mug (SKU-1), 1 × Tea (TEA) damaged" */
  products: string
  total: number
  /** "Cash 12.96, Card (external terminal) 3.00" */
  tenders: string
  reason: string
}

const CSV_PAGE = 500

export default class RefundListService {
  constructor(private sales = new SalesQueryService()) {}

  /** The refunds of the filters (the API's days are Dates, and either may be left out: no bound) */
  query(store: Store, filters: Omit<RefundFilters, 'from' | 'to'> & { from?: string | Date; to?: string | Date }) {
    const { start, end } = this.sales.dayRange(store, filters.from, filters.to)
    const query = Refund.query().where('store_id', store.id)
    if (start) query.where('created_at', '>=', dbTimestamp(start))
    if (end) query.where('created_at', '<=', dbTimestamp(end))
    if (filters.receipt === 'without') query.whereNull('sale_id')
    if (filters.receipt === 'with') query.whereNotNull('sale_id')
    if (filters.registerId) query.where('register_id', filters.registerId)
    if (filters.userId) query.where('user_id', filters.userId)
    return query
  }

  /** A page of the list, its rows, and the count and amount of every refund the filters match */
  async page(store: Store, filters: RefundFilters, page: number, perPage = 50) {
    const [paginator, totals] = await Promise.all([
      this.query(store, filters).orderBy('id', 'desc').paginate(page, perPage),
      // Aliases that are no column of the model, so Lucid leaves them in $extras
      this.query(store, filters).count('* as matched').sum('total as refunded').first(),
    ])
    const extras = (totals as any)?.$extras ?? {}
    return { paginator, rows: await this.rows(store, paginator.all()), count: Number(extras.matched ?? 0), total: Number(extras.refunded ?? 0) }
  }

  /** Every refund of the filters as CSV rows (amounts as decimals), read 500 at a time */
  async *csvRows(store: Store, filters: RefundFilters): AsyncGenerator<(string | number)[]> {
    const m = (minor: number) => minorToDecimal(minor, store.currency)
    let beforeId = Number.MAX_SAFE_INTEGER
    for (;;) {
      const refunds = await this.query(store, filters).where('id', '<', beforeId).orderBy('id', 'desc').limit(CSV_PAGE)
      if (!refunds.length) return
      beforeId = refunds.at(-1)!.id
      for (const r of await this.rows(store, refunds)) {
        // One format a spreadsheet reads as a time in every row, the offset in a column of its own
        // (the page's "02:30 UTC+02:00" of the repeated hour made those rows text among times)
        yield [r.id, r.localTime, r.saleId === null ? 'without a receipt' : `sale #${r.saleNumber ?? r.saleId}`, r.register, r.user, r.approvedBy, r.kind, r.products, m(r.total), r.tenders, r.reason, r.utcOffset]
      }
    }
  }

  /** The refunds with their names: products and tenders, register, who refunded and who approved, the sale's number */
  async rows(store: Store, refunds: Refund[]): Promise<RefundRow[]> {
    if (!refunds.length) return []
    const ids = refunds.map((r) => r.id)
    const userIds = [...new Set(refunds.flatMap((r) => [r.userId, r.approvedBy]).filter((id): id is number => !!id))]
    const saleIds = [...new Set(refunds.map((r) => r.saleId).filter((id): id is number => !!id))]
    const [items, payments, users, registers, sales] = await Promise.all([
      db.from('refund_items').join('products', 'products.id', 'refund_items.product_id').whereIn('refund_items.refund_id', ids).orderBy('refund_items.id')
        .select('refund_items.refund_id', 'refund_items.quantity', 'refund_items.restock', 'products.name', 'products.sku'),
      db.from('refund_payments').whereIn('refund_id', ids).orderBy('id').select('refund_id', 'method', 'amount'),
      userIds.length ? db.from('users').whereIn('id', userIds).select('id', 'name') : [],
      db.from('registers').where('store_id', store.id).select('id', 'name'),
      saleIds.length ? db.from('sales').whereIn('id', saleIds).select('id', 'number') : [],
    ])
    const grouped = <T extends { refund_id: unknown }>(rows: T[]) => {
      const by = new Map<number, T[]>()
      for (const row of rows) by.set(Number(row.refund_id), [...(by.get(Number(row.refund_id)) ?? []), row])
      return by
    }
    const itemsOf = grouped(items as any[])
    const paymentsOf = grouped(payments as any[])
    const names = new Map((users as any[]).map((u) => [Number(u.id), String(u.name)]))
    const registerNames = new Map((registers as any[]).map((r) => [Number(r.id), String(r.name)]))
    const numbers = new Map((sales as any[]).map((s) => [Number(s.id), s.number === null ? null : Number(s.number)]))
    return refunds.map((r) => ({
      id: r.id,
      time: wallClock(r.createdAt, store.timeZone),
      localTime: r.createdAt.setZone(store.timeZone).toFormat('yyyy-LL-dd HH:mm'),
      utcOffset: `UTC${r.createdAt.setZone(store.timeZone).toFormat('ZZ')}`,
      saleId: r.saleId,
      saleNumber: r.saleId ? (numbers.get(r.saleId) ?? null) : null,
      register: registerNames.get(r.registerId) ?? '',
      user: names.get(r.userId) ?? '',
      approvedBy: r.approvedBy ? (names.get(r.approvedBy) ?? '') : '',
      kind: r.kind,
      // Units not put back on the shelf are the shrinkage: said beside them
      products: (itemsOf.get(r.id) ?? []).map((i: any) => `${Number(i.quantity)} × ${i.name} (${i.sku})${i.restock ? '' : ' damaged'}`).join(', '),
      total: r.total,
      tenders: (paymentsOf.get(r.id) ?? []).map((p: any) => `${paymentMethodLabel(String(p.method))} ${minorToDecimal(Number(p.amount), store.currency)}`).join(', '),
      reason: r.reason,
    }))
  }
}

/** The last 30 of the store's days, today included: the list's days when none are asked */
export function lastThirtyDays(store: Store): { from: string; to: string } {
  const today = DateTime.now().setZone(store.timeZone)
  return { from: today.minus({ days: 29 }).toISODate()!, to: today.toISODate()! }
}
