import { DateTime } from 'luxon'
import Sale from '#models/sale'
import { DomainError, notFound } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import { inTransaction } from '#platform/db_transaction'
import { lockOpenSale, pendingPaymentError } from '#sales/checkout_rules'

/** Parked sales: a cart set aside (the customer forgot something) and brought back later, on any till of the store */
export default class ParkedSaleService {
  /** The store's parked sales, newest first */
  list(storeId: number) {
    return Sale.query().where({ store_id: storeId, status: 'parked' }).preload('user').preload('register').orderBy('parked_at', 'desc').limit(50)
  }

  async park(actor: Actor, saleId: number, note: string | null) {
    return inTransaction(async (trx) => {
      const sale = await lockOpenSale(actor, saleId, trx)
      const count = await trx.from('sale_items').where('sale_id', sale.id).count('* as n').first()
      if (!Number(count?.n)) {
        throw new DomainError('The cart is empty: there is nothing to park', { code: 'empty_cart' })
      }
      if (sale.paidTotal > 0) {
        throw new DomainError('A sale with payments cannot be parked', { status: 409, code: 'sale_has_payments' })
      }
      if (await trx.from('payments').where({ sale_id: sale.id, status: 'pending' }).first()) throw pendingPaymentError()
      sale.merge({ status: 'parked', parkedAt: DateTime.utc(), note: note?.slice(0, 255) || sale.note })
      await sale.useTransaction(trx).save()
      return sale
    })
  }

  /** Brings a parked sale back as the register's cart; a non-empty current cart is parked in its place */
  async resume(actor: Actor, parkedId: number, registerId: number) {
    return inTransaction(async (trx) => {
      const parked = await Sale.query({ client: trx })
        .where({ id: parkedId, store_id: actor.store.id, status: 'parked' })
        .forUpdate()
        .first()
      if (!parked) throw notFound('The parked sale')
      const current = await Sale.query({ client: trx })
        .where({ register_id: registerId, status: 'open', channel: 'till' })
        .forUpdate()
      for (const sale of current) {
        const lines = await trx.from('sale_items').where('sale_id', sale.id).count('* as n').first()
        sale.merge(Number(lines?.n) ? { status: 'parked', parkedAt: DateTime.utc() } : { status: 'voided' })
        await sale.useTransaction(trx).save()
      }
      parked.merge({ status: 'open', registerId, parkedAt: null })
      await parked.useTransaction(trx).save()
      return parked
    })
  }
}
