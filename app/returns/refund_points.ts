import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import { pluginRegistry } from '#plugins/registry'
import type { LoyaltyProgram } from '#plugins/contracts/loyalty'
import { LOYALTY_METHOD, paymentMethod, paymentMethods } from '#sales/payment_methods'

/*
| Where a refund may pay out, and the points a refund or a void gives back. A refund sends the
| money back to the tenders the sale was paid with (cash last), so a sale paid in part with
| points has that part paid back in points; and a void undoes what the sale earned and
| redeemed. Both in the refund's or void's transaction, through the loyalty program. Before, the
| refund recorded a payment "in points" that credited nothing, and a void left the points as they
| were: the customer lost what they had spent. Points never go to an erased customer: that part of
| a refund is paid in cash, and a void of such a sale is refused (refund it).
*/

interface SaleOfRefund {
  id: number
  storeId: number
  customerId: number | null
}

/**
 * Refused when a refund sent to another method than the sale's could not pay out in it: a
 * gateway's method pays back only the card it took (through the gateway, by default), and points
 * go back to a customer only. Cash and the card terminal the cashier confirms can.
 */
export function refuseRefundMethod(method: string, customerId: number | null) {
  const known = paymentMethod(method)
  if (!known) throw new DomainError(`Unknown payment method "${method}"`, { code: 'unknown_payment_method', field: 'method' })
  if (known.gatewayId) {
    throw new DomainError(`${known.label} pays back only the card the sale was paid with: choose cash or the card terminal`, { code: 'refund_method_unavailable', field: 'method' })
  }
  if (known.id === LOYALTY_METHOD.id && !customerId) {
    throw new DomainError('Points go back to a customer, and this refund has none: choose cash or the card terminal', { code: 'customer_required', field: 'method' })
  }
}

type Tenders = { method: string; amount: number }[]

/** Where a refund's points go: the program that gives them back, and the customer it gives them to */
export interface PointsBack {
  program: LoyaltyProgram
  customerId: number
}

/**
 * Who may be given points back: the sale's customer, unless they were erased (no one can spend an
 * anonymised account's points). A locking read: an erasure takes the customer's sales, then the
 * customer, so it waits for this refund, or this refund sees it done.
 */
async function pointsHolder(trx: TransactionClientContract, sale: SaleOfRefund): Promise<{ customerId: number | null; erased: boolean }> {
  if (!sale.customerId) return { customerId: null, erased: false }
  const row = await trx.from('customers').where('id', sale.customerId).forUpdate().select('erased_at').first()
  return row?.erased_at ? { customerId: null, erased: true } : { customerId: sale.customerId, erased: false }
}

/**
 * Where the refund's part in points goes (null when none is in points). Back to the customer when
 * they can still spend them; else (erased since, or a cart whose customer was erased before it
 * completed) in cash from the drawer, changing `tenders` in place. Before, those points went onto
 * the erased account, where no one could use them. A refund to points the manager chose is refused
 * then. Asked before any money moves: a card refunded through its gateway, then a refusal here,
 * would have paid the card with no refund recorded.
 */
export async function pointsBack(trx: TransactionClientContract, sale: SaleOfRefund, tenders: Tenders, chosenMethod: string | null): Promise<PointsBack | null> {
  if (!tenders.some((tender) => tender.method === LOYALTY_METHOD.id && tender.amount > 0)) return null
  const holder = await pointsHolder(trx, sale)
  if (!holder.customerId) {
    if (chosenMethod === LOYALTY_METHOD.id) {
      throw holder.erased
        ? new DomainError('This sale’s customer was erased: points cannot go back to them; choose cash or the card terminal', { code: 'customer_erased', field: 'method' })
        : new DomainError('Points go back to a customer, and this sale has none', { code: 'customer_required', field: 'method' })
    }
    paidInCashInstead(tenders)
    return null
  }
  const program = pluginRegistry.loyaltyProgram()
  if (!program) {
    throw new DomainError('Points cannot be given back while the loyalty program is off: a manager may refund to another method', { status: 409, code: 'loyalty_unavailable', field: 'method' })
  }
  return { program, customerId: holder.customerId }
}

/** The tenders in points become cash (added to the cash tender, if there is one) */
function paidInCashInstead(tenders: Tenders) {
  const points = tenders.filter((tender) => tender.method === LOYALTY_METHOD.id).reduce((sum, tender) => sum + tender.amount, 0)
  for (let i = tenders.length - 1; i >= 0; i--) if (tenders[i].method === LOYALTY_METHOD.id) tenders.splice(i, 1)
  const cash = tenders.find((tender) => tender.method === 'cash')
  if (cash) cash.amount += points
  else tenders.push({ method: 'cash', amount: points })
}

/** The methods a refund may be sent to instead of the sale's own tenders (see refuseRefundMethod); points only for a customer not erased */
export function refundMethods(customer: { isErased: boolean } | null) {
  return paymentMethods().filter((method) => !method.gatewayId && (method.id !== LOYALTY_METHOD.id || (customer !== null && !customer.isErased)))
}

/** The refund's tenders paid in points are given back as points, in its transaction */
export async function givePointsBack(trx: TransactionClientContract, back: PointsBack | null, sale: SaleOfRefund, refundId: number, tenders: Tenders) {
  if (!back) return
  const amount = tenders.filter((tender) => tender.method === LOYALTY_METHOD.id).reduce((sum, tender) => sum + tender.amount, 0)
  await back.program.giveBack({ storeId: sale.storeId, customerId: back.customerId, client: trx, saleId: sale.id, refundId, amount })
}

/**
 * A voided sale's points (earned and redeemed) are undone, in the void's transaction. A sale paid
 * in points whose customer was erased since (or while it was open) is refused: a void undoes the
 * sale as it was, with no payout of its own, so the points would go back onto the erased account
 * (or nowhere); a refund pays that part in cash (pointsBack above).
 */
export async function undoPointsOfVoid(trx: TransactionClientContract, sale: SaleOfRefund, paidWithPoints: boolean) {
  if (paidWithPoints && !(await pointsHolder(trx, sale)).customerId) {
    throw new DomainError('This sale was paid in part with the points of a customer erased since: a void cannot give those points back; refund it instead (the points part is paid in cash)', {
      status: 409,
      code: 'customer_erased',
    })
  }
  if (!sale.customerId) return
  const program = pluginRegistry.loyaltyProgram()
  if (!program) {
    // Points it spent could not be given back: the void waits for the program
    if (paidWithPoints) throw new DomainError('This sale was paid with points, and the loyalty program is off: turn it on to void the sale', { status: 409, code: 'loyalty_unavailable' })
    return
  }
  await program.saleVoided({ storeId: sale.storeId, customerId: sale.customerId, client: trx, saleId: sale.id })
}
