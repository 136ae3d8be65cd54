import db from '@adonisjs/lucid/services/db'
import { DomainError, notFound } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import CartService from '#sales/cart_service'
import PaymentService from '#sales/payment_service'

/*
| An open sale the API started (POST /api/sales without a payment, or paid in part): its payments
| can be taken off and the sale cancelled, as a till does with its cart. Without these, a sale
| left part-paid could never be finished or cancelled, and its money was in no report. A till's
| cart is the till's: the API may not change it under the cashier.
*/

async function apiSale(actor: Actor, saleId: number) {
  const sale = await db.from('sales').where({ id: saleId, store_id: actor.store.id }).select('id', 'channel').first()
  if (!sale) throw notFound('The sale', 'sale_id')
  if (sale.channel === 'till') throw new DomainError("This is a till's cart: change it at the till", { status: 409, code: 'till_cart', field: 'sale_id' })
  return Number(sale.id)
}

/** Takes a payment off an open API sale (points come back; money back, or a card reversed on its terminal, is the store's to do) */
export async function removeApiPayment(actor: Actor, paymentId: number) {
  const payment = await db.from('payments').where({ id: paymentId, store_id: actor.store.id }).select('sale_id').first()
  if (!payment) throw notFound('The payment', 'id')
  const saleId = await apiSale(actor, Number(payment.sale_id))
  return new PaymentService().removePayment(actor, saleId, paymentId)
}

/** Cancels an open API sale: kept as a voided cart (its payments must be taken off first) */
export async function cancelApiSale(actor: Actor, saleId: number) {
  await new CartService().voidCart(actor, await apiSale(actor, saleId))
}
