import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Sale from '#models/sale'
import type Store from '#models/store'
import { dbTimestamp } from '#platform/db_time'
import { SALE_REF } from '#core/sale_reference'

/**
 * Finding the sale a customer brings back: by the receipt's reference (scanned or typed),
 * its number, a day of the store, or the customer's name. Completed sales of the store only,
 * with those whose every unit came back already (`fullyReturned`: nothing to return from them).
 */
export default class ReturnSearchService {
  async search(store: Store, input: { q?: string | null; date?: string | null; customer?: string | null }) {
    const q = (input.q ?? '').trim()
    const query = Sale.query().where({ store_id: store.id, status: 'completed' }).preload('register').preload('customer')
    let any = false
    const ref = SALE_REF.exec(q)
    if (ref) {
      query.where({ register_id: Number(ref[1]), number: Number(ref[2]) })
      any = true
    } else if (/^#?\d{1,9}$/.test(q)) {
      query.where('number', Number(q.replace('#', '')))
      any = true
    }
    if (input.date && /^\d{4}-\d{2}-\d{2}$/.test(input.date)) {
      const day = DateTime.fromISO(input.date, { zone: store.timeZone })
      if (day.isValid) {
        query.where('completed_at', '>=', dbTimestamp(day.startOf('day'))).where('completed_at', '<=', dbTimestamp(day.endOf('day')))
        any = true
      }
    }
    const customer = (input.customer ?? '').trim()
    if (customer) {
      const pattern = `%${customer.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`
      query.whereIn('customer_id', (sub) => sub.from('customers').where('store_id', store.id).whereRaw('LOWER(name) LIKE ?', [pattern]).select('id'))
      any = true
    }
    if (!any) return { sales: [], exact: false, fullyReturned: new Set<number>() }
    const sales = await query.orderBy('completed_at', 'desc').orderBy('id', 'desc').limit(20)
    return { sales, exact: !!ref && sales.length === 1, fullyReturned: await fullyReturned(sales.map((sale) => sale.id)) }
  }
}

/** Of these sales, those with no unit left to return */
async function fullyReturned(saleIds: number[]): Promise<Set<number>> {
  if (!saleIds.length) return new Set()
  const left = await db.from('sale_items').whereIn('sale_id', saleIds).whereRaw('refunded_quantity < quantity').distinct('sale_id')
  const withUnitsLeft = new Set(left.map((row) => Number(row.sale_id)))
  return new Set(saleIds.filter((id) => !withUnitsLeft.has(id)))
}
