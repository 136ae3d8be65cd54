import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import type Refund from '#models/refund'
import { publish } from '#events/domain_events'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { refuseLeasedElsewhere } from '#sales/register_lease_service'
import { SINGLE_LINE_TEXT } from '#validators/fields'

/*
| What refunds and voids share: the reason they must give, the locks they take in the one order
| every sale, refund and void takes them (the register row, whose chain takes the record, then
| the sale row), and what a committed refund tells the rest of the app.
*/

/**
 * The reason a refund or a void gives (required, one line of 255 characters at most, no control
 * characters nor text-direction overrides: the till's and the back office's forms come without a validator)
 */
export function returnReason(input: string | null | undefined) {
  const reason = (input ?? '').trim()
  if (!reason) throw new DomainError('Give a reason', { code: 'reason_required', field: 'reason' })
  if (!SINGLE_LINE_TEXT.test(reason)) throw new DomainError('A reason may not hold control characters or text-direction overrides', { code: 'invalid_text', field: 'reason' })
  return reason.slice(0, 255)
}

/**
 * Locks the sale, then the register (whose chain takes the record). The sale's row is read with
 * its lock to learn its register: a plain read first took MariaDB's snapshot before the register's
 * lock was granted, and the drawer's figures read after it missed a refund committed meanwhile
 * (two cash refunds each saw the cash the other took). Only refunds and voids lock a completed
 * sale, all here, in this order. Refused on a register another till holds.
 */
export async function lockCompletedSale(trx: TransactionClientContract, actor: Actor, saleId: number, registerId: number | null) {
  const found = await trx.from('sales').where({ id: saleId, store_id: actor.store.id }).forUpdate().select('register_id').first()
  if (!found) throw notFound('The sale')
  const register = await trx
    .from('registers')
    .where({ id: registerId ?? found.register_id, store_id: actor.store.id })
    .forUpdate()
    .select('id', 'last_sale_hash', 'lease_device_id', 'open_shift_id')
    .first()
  if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
  // Not on the chain of a register another till holds for offline selling
  await refuseLeasedElsewhere(trx, register, actor.deviceId, 'return')
  const sale = await Sale.query({ client: trx }).where('id', saleId).forUpdate().firstOrFail()
  if (sale.status !== 'completed') {
    const what = sale.status === 'voided' ? 'was voided' : `is ${sale.status}, not completed`
    throw new DomainError(`This sale ${what}: it cannot be returned or voided`, { status: 409, code: `sale_${sale.status}` })
  }
  sale.refundedTotal = Number(sale.refundedTotal ?? 0)
  return { sale, register }
}

export interface RefundPlan {
  refund: Refund
  restockedProductIds: number[]
}

/** After the commit: the refund to the live pages and plugins, the restocked products to the stock pages */
export function publishRefunded(plan: RefundPlan) {
  const { refund, restockedProductIds } = plan
  publish('sale:refunded', { refundId: refund.id, saleId: refund.saleId ?? 0, storeId: refund.storeId, registerId: refund.registerId, total: refund.total })
  if (restockedProductIds.length) publish('stock:changed', { storeId: refund.storeId, reason: 'refund', productIds: restockedProductIds })
}
