import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import { pluginRegistry } from '#plugins/registry'
import { LOYALTY_METHOD, paymentMethod, paymentMethods } from '#sales/payment_methods'

/*
| Where a refund may pay out, and the points a refund or a void gives back. A refund sends the
| money back to the tenders the sale was paid with (cash last), so a sale paid in part with
| points has that part paid back in points; and a void undoes what the sale earned and
| redeemed. Both in the refund's or void's transaction, through the loyalty program. Before, the
| refund recorded a payment "in points" that credited nothing, and a void left the points as they
| were: the customer lost what they had spent.
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

/**
 * The loyalty program that gives back the tenders' points (null when none is in points). Asked
 * before any money moves: a card refunded through its gateway, then a refusal here, would have
 * paid the card with no refund recorded.
 */
export function pointsBackProgram(sale: SaleOfRefund, tenders: Tenders) {
  if (!tenders.some((tender) => tender.method === LOYALTY_METHOD.id && tender.amount > 0)) return null
  const program = pluginRegistry.loyaltyProgram()
  if (!program) {
    throw new DomainError('Points cannot be given back while the loyalty program is off: a manager may refund to another method', { status: 409, code: 'loyalty_unavailable', field: 'method' })
  }
  if (!sale.customerId) throw new DomainError('Points go back to a customer, and this sale has none', { code: 'customer_required', field: 'method' })
  return program
}

/** The methods a refund may be sent to instead of the sale's own tenders (see refuseRefundMethod) */
export function refundMethods(customerId: number | null) {
  return paymentMethods().filter((method) => !method.gatewayId && (method.id !== LOYALTY_METHOD.id || customerId !== null))
}

/** The refund's tenders paid in points are given back as points, in its transaction */
export async function givePointsBack(trx: TransactionClientContract, sale: SaleOfRefund, refundId: number, tenders: Tenders) {
  const program = pointsBackProgram(sale, tenders)
  if (!program) return
  const amount = tenders.filter((tender) => tender.method === LOYALTY_METHOD.id).reduce((sum, tender) => sum + tender.amount, 0)
  await program.giveBack({ storeId: sale.storeId, customerId: sale.customerId!, client: trx, saleId: sale.id, refundId, amount })
}

/** A voided sale's points (earned and redeemed) are undone, in the void's transaction */
export async function undoPointsOfVoid(trx: TransactionClientContract, sale: SaleOfRefund, paidWithPoints: boolean) {
  if (!sale.customerId) return
  const program = pluginRegistry.loyaltyProgram()
  if (!program) {
    // Points it spent could not be given back: the void waits for the program
    if (paidWithPoints) throw new DomainError('This sale was paid with points, and the loyalty program is off: turn it on to void the sale', { status: 409, code: 'loyalty_unavailable' })
    return
  }
  await program.saleVoided({ storeId: sale.storeId, customerId: sale.customerId, client: trx, saleId: sale.id })
}
