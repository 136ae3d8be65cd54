import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import type { Actor } from '#staff/actor'
import { DomainError } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { voidHash } from '#core/sale_chain'
import { returnToStock } from '#returns/stock_return'
import { lockCompletedSale, returnReason } from '#returns/returned_sale'
import { publish } from '#events/domain_events'
import { runStatements } from '#platform/sql_batch'
import { saleSummaryStatements, storeDayHour } from '#sales/sale_summaries'
import { LOYALTY_METHOD } from '#sales/payment_methods'
import { undoPointsOfVoid } from '#returns/refund_points'

/*
| Voiding a completed sale: a manager's action on the store day the sale was made, while its shift
| is open; the sale stays, marked voided with who and why, its stock comes back, and the void is a
| link of its register's hash chain. A sale with refunds, or of an earlier day, is refunded instead.
*/

/**
 * Why a completed sale may no longer be voided (null when it may): a void undoes the sale as if it
 * had never been rung up, so only on the store day it was made (in the store's time zone) and while
 * its shift is still open (its drawer not counted). Before, an open shift was enough: a shift left
 * open over midnight, or for days, let a void rewrite a day already reported. Later, a refund
 * records the money going back on the day it goes back.
 */
export function voidRefusal(sale: Sale, timeZone: string, shiftOpen: boolean | null, now: DateTime = DateTime.utc()): string | null {
  if (!sale.completedAt) return 'This sale was never completed'
  if (shiftOpen === false) return 'This sale’s shift is closed (its drawer was counted): refund it instead'
  const day = storeDayHour(sale.completedAt, timeZone).day
  if (day !== storeDayHour(now, timeZone).day) return `This sale was made on an earlier store day (${day}): only a sale of today can be voided; refund it instead`
  return null
}

export default class VoidService {
  /** Why the sale's page offers no void (its day or shift is over: voidRefusal), or null when it may be voided */
  async closedWindow(sale: Sale, timeZone: string): Promise<string | null> {
    const shiftOpen = sale.shiftId ? Boolean(await db.from('shifts').where({ id: sale.shiftId, status: 'open' }).first()) : null
    return voidRefusal(sale, timeZone, shiftOpen)
  }

  /** Voids a completed sale: a manager's action, the same store day and shift; the sale stays, marked voided */
  async voidSale(actor: Actor, saleId: number, reasonInput: string): Promise<Sale> {
    if (!actor.user.isManager) {
      throw new DomainError('Only a manager can void a completed sale', { status: 403, code: 'manager_required' })
    }
    const reason = returnReason(reasonInput)
    const { sale, productIds } = await inTransaction(async (trx) => {
      const { sale, register } = await lockCompletedSale(trx, actor, saleId, null)
      if (sale.refundedTotal > 0 || (await trx.from('refunds').where('sale_id', sale.id).first())) {
        throw new DomainError('This sale has refunds: return the remaining lines instead of voiding it', { status: 409, code: 'sale_has_refunds' })
      }
      // Paid with returned goods (an exchange): voiding it would keep the goods returned and give
      // the customer neither them nor the credit back
      if (await trx.from('payments').where({ sale_id: sale.id, method: 'exchange', status: 'approved' }).first()) {
        throw new DomainError('This sale was paid with goods returned in an exchange: make a refund instead of voiding it', { status: 409, code: 'exchange_sale' })
      }
      const shiftOpen = sale.shiftId ? Boolean(await trx.from('shifts').where({ id: sale.shiftId, status: 'open' }).first()) : null
      const refusal = voidRefusal(sale, actor.store.timeZone, shiftOpen)
      if (refusal) throw new DomainError(refusal, { status: 409, code: 'void_window_closed' })
      // The points first: a void refused for them (program off, customer erased) writes nothing
      const payments = await trx.from('payments').where({ sale_id: sale.id, status: 'approved' }).select('method', 'amount')
      await undoPointsOfVoid(trx, sale, payments.some((p) => p.method === LOYALTY_METHOD.id))
      const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('id')
      const voidedAt = DateTime.utc().startOf('second')
      const productIds = await returnToStock(trx, { storeId: sale.storeId, userId: actor.user.id, saleId: sale.id, reason: 'void', at: voidedAt }, items)
      sale.useTransaction(trx)
      sale.merge({ status: 'voided', voidedAt, voidedBy: actor.user.id, voidReason: reason, voidPreviousHash: register.last_sale_hash ?? null })
      sale.voidHash = voidHash(sale.voidPreviousHash, {
        storeId: sale.storeId,
        registerId: sale.registerId,
        saleId: sale.id,
        saleHash: sale.hash ?? '',
        voidedAt: voidedAt.toISO()!,
        voidedBy: actor.user.id,
        reason,
      })
      await sale.save()
      await trx.from('registers').where('id', register.id).update({ last_sale_hash: sale.voidHash })
      // The sale leaves the report summaries of the day it was made
      await runStatements(
        trx,
        await saleSummaryStatements(
          trx,
          actor.store.timeZone,
          { storeId: sale.storeId, registerId: sale.registerId, userId: sale.userId, completedAt: sale.completedAt!, total: sale.total, taxTotal: sale.taxTotal, discountTotal: sale.discountTotal, rounding: sale.roundingTotal, lines: items, payments: payments.map((p) => ({ method: String(p.method), amount: Number(p.amount) })) },
          -1
        )
      )
      await recordAudit(
        { action: 'sale_voided', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { number: sale.number, total: sale.total, reason }, ip: actor.ip },
        trx
      )
      return { sale, productIds }
    })
    if (productIds.length) publish('stock:changed', { storeId: sale.storeId, reason: 'void', productIds })
    return sale
  }
}
