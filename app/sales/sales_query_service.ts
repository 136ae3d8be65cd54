import { DateTime } from 'luxon'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import Refund from '#models/refund'
import type Store from '#models/store'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { notFound } from '#exceptions/domain_error'
import { dbTimestamp } from '#platform/db_time'

export interface SaleFilters {
  from?: Date | string | null
  to?: Date | string | null
  status?: string | null
  registerId?: number | null
  userId?: number | null
  page?: number
  perPage?: number
}

/** Reading sales back: lists by the store's own days, and one sale with its lines and payments */
export default class SalesQueryService {
  /** The UTC instants that bound the store's calendar days from..to (inclusive) */
  dayRange(store: Store, from?: Date | string | null, to?: Date | string | null) {
    const day = (value: Date | string) =>
      typeof value === 'string'
        ? DateTime.fromISO(value, { zone: store.timeZone })
        : DateTime.fromObject({ year: value.getFullYear(), month: value.getMonth() + 1, day: value.getDate() }, { zone: store.timeZone })
    return {
      start: from ? day(from).startOf('day').toUTC() : null,
      end: to ? day(to).endOf('day').toUTC() : null,
    }
  }

  async list(store: Store, filters: SaleFilters) {
    const { start, end } = this.dayRange(store, filters.from, filters.to)
    const status = filters.status ?? 'completed'
    const query = Sale.query().where('store_id', store.id).where('status', status).preload('user').preload('register')
    const dateColumn = status === 'completed' || status === 'voided' ? 'completed_at' : 'created_at'
    if (start) query.where(dateColumn, '>=', dbTimestamp(start))
    if (end) query.where(dateColumn, '<=', dbTimestamp(end))
    if (filters.registerId) query.where('register_id', filters.registerId)
    if (filters.userId) query.where('user_id', filters.userId)
    return query.orderBy(dateColumn, 'desc').orderBy('id', 'desc').paginate(filters.page ?? 1, filters.perPage ?? 25)
  }

  /**
   * A 404 unless the store has this sale: what acts on a sale (a refund, an exchange, a void) looks
   * it up before reading its body, so a missing sale is a 404 whatever was sent, never a 422 on a
   * field of a request that could change nothing
   */
  async mustExist(store: Store, id: number) {
    const sale = await Sale.query().where({ id, store_id: store.id }).select('id').first()
    if (!sale) throw notFound('The sale')
  }

  /** `client`: read inside the caller's transaction, to answer with what it just wrote */
  async find(store: Store, id: number, client?: TransactionClientContract) {
    const sale = await Sale.query({ client }).where({ id, store_id: store.id }).preload('user').preload('register').preload('customer').preload('voider').first()
    if (!sale) throw notFound('The sale')
    const [items, payments, refunds] = await Promise.all([
      SaleItem.query({ client }).where('sale_id', sale.id).orderBy('position'),
      Payment.query({ client }).where('sale_id', sale.id).orderBy('id'),
      Refund.query({ client }).where('sale_id', sale.id).preload('items').preload('payments').orderBy('id'),
    ])
    return { sale, items, payments, refunds }
  }
}
