import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Sale from '#models/sale'
import type User from '#models/user'
import type { Actor } from '#staff/actor'
import { DomainError } from '#exceptions/domain_error'
import { roundToIncrement } from '#core/money'
import { allocateRefund, creditAsCash, needsManager, realCashLeft, refundChoices, tendersLeft } from '#returns/refund_allocation'

/*
| Where a refund's money goes. By default back to the tenders the sale was paid with (card first,
| then cash from the drawer), each up to what it paid less what earlier refunds gave back. Another
| tender needs a manager. Cash is paid in the store's smallest coin (cash_rounding), as a sale's
| cash is taken: the last refund of a sale pays exactly what is left, so the rounding evens out.
*/

/** The money back per tender, and the manager who approved another tender than the original */
export type Tenders = { method: string; amount: number }[] & { approvedBy?: number | null }

export interface TenderRequest {
  /** Another tender than the original one needs a manager */
  method?: string | null
  /** A manager who approved with their PIN (the actor, when a manager, approves themselves) */
  approver?: User | null
}

export async function refundTenders(trx: TransactionClientContract, actor: Actor, sale: Sale, total: number, request: TenderRequest, last: boolean): Promise<Tenders> {
  const paid = (await trx.from('payments').where({ sale_id: sale.id, status: 'approved' }).groupBy('method').select('method').sum('amount as amount')) as any[]
  const refunded = await trx
    .from('refund_payments')
    .join('refunds', 'refunds.id', 'refund_payments.refund_id')
    .where('refunds.sale_id', sale.id)
    .forUpdate()
    .groupBy('refund_payments.method')
    .select('refund_payments.method as method')
    .sum('refund_payments.amount as amount')
  const allocation: Tenders = allocateRefund(tendersLeft(paid, refunded as any[]), total)

  if (request.method && needsManager(allocation, request.method)) {
    const other: Tenders = [{ method: request.method, amount: total }]
    other.approvedBy = managerApproving(actor, request, 'A manager must approve a refund to another method: enter a manager\u2019s PIN').id
    return inSmallestCoin(other, actor.store.cashRounding, last)
  }
  // Cash for goods that came in an exchange of a sale paid by card: the exchange turned card money
  // into cash without the manager a refund to cash asks for. That part needs one (the Returns form
  // hints the same: refundChoices)
  if (creditAsCash(allocation, realCashLeft(paid, refunded as any[])) > 0 && !(await creditWasCash(trx, sale.id))) {
    allocation.approvedBy = managerApproving(actor, request, 'This sale was paid with goods exchanged from a sale not paid in cash: a manager approves giving it back in cash. Enter a manager\u2019s PIN').id
  }
  return inSmallestCoin(allocation, actor.store.cashRounding, last)
}

function managerApproving(actor: Actor, request: TenderRequest, message: string) {
  const approver = actor.user.isManager ? actor.user : request.approver
  if (!approver?.isManager) throw new DomainError(message, { status: 403, code: 'manager_required', field: 'manager_pin' })
  return approver
}

/** Whether every sale whose goods were exchanged into this one was paid in cash only */
async function creditWasCash(client: QueryClientContract, saleId: number) {
  const methods = await client.from('refunds').join('payments', 'payments.sale_id', 'refunds.sale_id').where('refunds.exchange_sale_id', saleId).where('payments.status', 'approved').distinct('payments.method')
  return methods.length > 0 && methods.every((row: any) => row.method === 'cash')
}

/** The Returns form's refund choices for a sale, with the hints of refundChoices (what its exchange credit came from read here) */
export async function returnFormChoices(sale: { id: number; customer: { isErased: boolean } | null; payments: { method: string; amount: number; status?: string }[]; refunds: { payments: { method: string; amount: number }[] }[] }, currency: string) {
  const exchanged = sale.payments.some((payment) => payment.method === 'exchange' && payment.status === 'approved')
  return refundChoices(sale, currency, exchanged ? await creditWasCash(db.connection(), sale.id) : true)
}

/** The cash part in the store's smallest coin (a drawer has no pennies), but for a sale's last refund */
export function inSmallestCoin(tenders: Tenders, increment: number, last: boolean): Tenders {
  if (last || increment <= 1) return tenders
  const rounded = tenders.map((tender) => (tender.method === 'cash' ? { ...tender, amount: roundToIncrement(tender.amount, increment) } : tender)).filter((tender) => tender.amount > 0) as Tenders
  rounded.approvedBy = tenders.approvedBy
  return rounded
}
