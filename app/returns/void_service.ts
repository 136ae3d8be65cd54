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
import { saleSummaryStatements } from '#sales/sale_summaries'
import { LOYALTY_METHOD } from '#sales/payment_methods'
import { undoPointsOfVoid } from '#returns/refund_points'

/*
| Voiding a completed sale: a manager's action while its shift is open (or on its day); the sale
| stays, marked voided with who and why, its stock comes back, and the void is a link of its
| register's hash chain. A sale with refunds is returned line by line instead.
*/

/**
 * A completed sale may be voided while its shift is open (its drawer not yet counted); a sale
 * made without a shift (the API on a register with none) only on its business day in the
 * store's time zone.
 */
export function voidWindowOpen(sale: Sale, timeZone: string, shiftOpen: boolean | null, now: DateTime = DateTime.utc()) {
  if (!sale.completedAt) return false
  if (shiftOpen !== null) return shiftOpen
  return sale.completedAt.setZone(timeZone).hasSame(now.setZone(timeZone), 'day')
}

export default class VoidService {
  /** Voids a completed sale: a manager's action, the same business day; the sale stays, marked voided */
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
      if (!voidWindowOpen(sale, actor.store.timeZone, shiftOpen)) {
        throw new DomainError('A sale can only be voided during its shift (without a shift, on the day it was made); make a refund instead', {
          status: 409,
          code: 'void_window_closed',
        })
      }
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
      const payments = await trx.from('payments').where({ sale_id: sale.id, status: 'approved' }).select('method', 'amount')
      await undoPointsOfVoid(trx, sale, payments.some((p) => p.method === LOYALTY_METHOD.id))
      await runStatements(
        trx,
        await saleSummaryStatements(
          trx,
          actor.store.timeZone,
          { storeId: sale.storeId, registerId: sale.registerId, userId: sale.userId, completedAt: sale.completedAt!, total: sale.total, taxTotal: sale.taxTotal, discountTotal: sale.discountTotal, lines: items, payments: payments.map((p) => ({ method: String(p.method), amount: Number(p.amount) })) },
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
