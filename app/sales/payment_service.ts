import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import { DomainError, notFound } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import { cashAmountDue, cashShortOfRounding } from '#core/pricing'
import { formatMoney, MAX_SALE_TOTAL } from '#core/money'
import { recordAudit } from '#platform/audit_service'
import { inTransaction } from '#platform/db_transaction'
import { paymentMethod, LOYALTY_METHOD } from '#sales/payment_methods'
import { pluginRegistry } from '#plugins/registry'
import { type PaymentRequest, type PaymentOutcome, priceSale, lockOpenSale, publishCompleted, within } from '#sales/checkout_rules'
import { completeSale, refuseWithoutShift } from '#sales/sale_completion'
import CartService from '#sales/cart_service'
import { NewPayment, newPaymentInsert, type PaymentFields, type SaleFields } from '#sales/new_sale'
import { runStatements } from '#platform/sql_batch'

/*
| Payments on an open sale: each is checked (method, amount, change, cash rounding), points are
| spent through the loyalty plugin, and the payment that covers the balance completes the sale
| (sale_completion.ts). Gateway payments start in gateway_payment_service.ts and end here.
*/

export default class PaymentService {
  /** `client`: run inside the caller's transaction (an idempotent API write); sale:completed goes out when it commits */
  async addPayment(actor: Actor, saleId: number, request: PaymentRequest, client?: TransactionClientContract | null): Promise<PaymentOutcome> {
    let productIds: number[] = []
    const outcome = await within(client, async (trx) => {
      const sale = await lockOpenSale(actor, saleId, trx)
      const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('position')
      if (!items.length) throw new DomainError('The sale has no items to pay for', { code: 'empty_cart' })
      productIds = items.map((i) => i.productId)
      // Taxes are worked out again with the calculator in force: a tax plugin that fails now refuses the payment
      await priceSale(actor.store, sale, items, trx)
      for (const item of items) if (item.$isDirty) await item.useTransaction(trx).save()
      return this.#pay(actor, sale, items, request, trx)
    })
    if (outcome.completed && client) client.after('commit', () => publishCompleted(outcome.sale, productIds))
    else if (outcome.completed) publishCompleted(outcome.sale, productIds)
    return outcome
  }

  /**
   * A payment its gateway approved: the pending row becomes approved and counts toward the
   * sale; the one that covers the balance completes it (see GatewayPaymentService).
   */
  async approveGatewayPayment(actor: Actor, saleId: number, paymentId: number, reference: string | null): Promise<PaymentOutcome<Payment>> {
    let productIds: number[] = []
    const outcome = await inTransaction(async (trx) => {
      const sale = await lockOpenSale(actor, saleId, trx)
      const payment = await Payment.query({ client: trx }).where({ id: paymentId, sale_id: sale.id, status: 'pending' }).forUpdate().first()
      if (!payment) throw notFound('The pending payment')
      const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('position')
      productIds = items.map((i) => i.productId)
      await priceSale(actor.store, sale, items, trx)
      for (const item of items) if (item.$isDirty) await item.useTransaction(trx).save()
      payment.merge({ status: 'approved', reference: reference?.slice(0, 120) ?? payment.reference })
      await payment.useTransaction(trx).save()
      sale.paidTotal += payment.amount
      if (sale.balanceDue > 0) {
        await sale.useTransaction(trx).save()
        await recordAudit(
          { action: 'payment_taken', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { method: payment.method, amount: payment.amount, gateway: payment.gateway }, ip: actor.ip },
          trx
        )
        return { sale, payment, completed: false }
      }
      const approved = await Payment.query({ client: trx }).where({ sale_id: sale.id, status: 'approved' }).orderBy('id')
      await completeSale(actor, sale, items, approved, trx, payment)
      return { sale, payment, completed: true, nextCart: nextCartOf(trx, actor, sale) }
    })
    if (outcome.completed) publishCompleted(outcome.sale, productIds)
    return outcome
  }

  async removePayment(actor: Actor, saleId: number, paymentId: number) {
    return inTransaction(async (trx) => {
      const sale = await lockOpenSale(actor, saleId, trx)
      const payment = await Payment.query({ client: trx }).where({ id: paymentId, sale_id: sale.id, status: 'approved' }).first()
      if (!payment) throw notFound('The payment')
      // The points it spent come back (they were lost: the payment went, the redemption stayed)
      if (paysWithPoints(payment)) await restorePoints(sale, payment, trx)
      payment.status = 'cancelled'
      await payment.useTransaction(trx).save()
      sale.paidTotal -= payment.amount
      sale.roundingTotal = 0
      await sale.useTransaction(trx).save()
      await recordAudit(
        { action: 'payment_removed', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { paymentId, method: payment.method, amount: payment.amount }, ip: actor.ip },
        trx
      )
      return sale
    })
  }

  async #pay(actor: Actor, sale: Sale, items: SaleItem[], request: PaymentRequest, trx: TransactionClientContract) {
    const payment = buildPayment(actor, sale, request)
    // Points that complete the sale: the register's lock first, then the customer's (redeemPoints),
    // the order of a refund (the register, whose chain takes the record, then the customer whose
    // points come back) and of the API's one-call sale. Taking the customer first, then the register
    // at the completion, a refund on the same register and customer could deadlock with it
    if (paysWithPoints(payment) && sale.balanceDue - payment.amount <= 0) {
      await trx.from('registers').where('id', sale.registerId).forUpdate().select('id').first()
    }
    await redeemPoints(sale, payment, trx)
    sale.paidTotal += payment.amount
    sale.changeDue = payment.change
    if (sale.balanceDue > 0) {
      // Cash handed over now, even in part, goes into the drawer: refused as the completion would be
      if (paymentMethod(payment.method)?.isCash) {
        const register = await trx.from('registers').where('id', sale.registerId).select('open_shift_id').first()
        refuseWithoutShift(sale.channel, register?.open_shift_id ?? null, [payment], payment)
      }
      await sale.useTransaction(trx).save()
      const [inserted] = await runStatements(trx, [newPaymentInsert(payment, sale.id)])
      payment.id = inserted.insertId
      payment.saleId = sale.id
      await recordAudit(
        { action: 'payment_taken', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { method: payment.method, amount: payment.amount }, ip: actor.ip },
        trx
      )
      return { sale, payment, completed: false }
    }
    const earlier = await Payment.query({ client: trx }).where({ sale_id: sale.id, status: 'approved' }).orderBy('id')
    await completeSale(actor, sale, items, [...earlier, payment], trx, payment)
    return { sale, payment, completed: true, nextCart: nextCartOf(trx, actor, sale) }
  }
}

/**
 * A till sale that completes opens its register's next, empty cart, written with its COMMIT (no
 * round trip of its own): the completed panel names it, so the next customer's first scan needs
 * no lookup and no INSERT (CartService.nextCartAtCommit)
 */
function nextCartOf(trx: TransactionClientContract, actor: Actor, sale: Sale) {
  return sale.channel === 'till' && sale.registerId ? new CartService().nextCartAtCommit(trx, actor, sale.registerId) : undefined
}

/** A points payment spends the customer's points in the sale's transaction (the loyalty plugin says no when short) */
export function paysWithPoints(payment: PaymentFields) {
  return payment.method === LOYALTY_METHOD.id
}

export async function redeemPoints(sale: SaleFields, payment: PaymentFields, trx: TransactionClientContract) {
  if (!paysWithPoints(payment)) return
  const program = pluginRegistry.loyaltyProgram()
  if (!program) throw new DomainError('Points are not accepted here', { code: 'unknown_payment_method', field: 'method' })
  if (!sale.customerId) {
    throw new DomainError('Attach the customer to the sale to pay with points', { code: 'customer_required', field: 'method' })
  }
  // Under the customer's row lock, which an erasure takes: a cart given the customer while their
  // erasure ran (after it unlinked their carts) would otherwise spend the erased account's points
  const customer = await trx.from('customers').where('id', sale.customerId).forUpdate().select('erased_at').first()
  if (customer?.erased_at) {
    throw new DomainError('This customer was erased: their points cannot pay. Take them off the sale and choose another tender', { status: 409, code: 'customer_erased', field: 'method' })
  }
  await program.redeem({ storeId: sale.storeId, customerId: sale.customerId, client: trx, saleId: sale.id, amount: payment.amount })
}

async function restorePoints(sale: Sale, payment: Payment, trx: TransactionClientContract) {
  // A cart whose customer was erased since (unlinked from it): no one can spend their points again
  if (!sale.customerId) return
  const program = pluginRegistry.loyaltyProgram()
  if (!program) {
    throw new DomainError('The loyalty program is off: the points this payment spent cannot be given back. Turn it on to remove the payment', { status: 409, code: 'loyalty_unavailable' })
  }
  await program.restore({ storeId: sale.storeId, customerId: sale.customerId, client: trx, saleId: sale.id, paymentId: payment.id, amount: payment.amount })
}

/** Works out what a payment credits and the change it gives; throws on a bad one */
export function buildPayment(actor: Actor, sale: SaleFields, request: PaymentRequest): NewPayment {
  const method = paymentMethod(request.method)
  if (!method) {
    throw new DomainError(`Unknown payment method "${request.method}"`, { code: 'unknown_payment_method', field: 'method' })
  }
  if (method.gatewayId) {
    throw new DomainError(`${method.label} payments are taken through the terminal on the till`, { code: 'gateway_payment_required', field: 'method' })
  }
  const due = sale.balanceDue
  if (due <= 0) {
    // Nothing to pay (a free item, a line at 100% off): the sale completes with a payment of
    // nothing in the method chosen, so it has a tender as every sale does. It could never
    // complete before: every payment was refused as one too many
    if (sale.total === 0 && sale.paidTotal === 0) {
      if (method.id === LOYALTY_METHOD.id) throw new DomainError('Points cannot pay for a sale of nothing: choose cash', { code: 'nothing_to_pay', field: 'method' })
      return new NewPayment({ storeId: actor.store.id, userId: actor.user.id, method: method.id, amount: 0, tendered: method.isCash ? 0 : null, change: 0, reference: request.reference?.slice(0, 120) ?? null, status: 'approved' })
    }
    throw new DomainError('This sale is already paid', { status: 409, code: 'already_paid' })
  }
  // Cash settling the sale is rounded to the store's smallest coin
  const cashDue = method.isCash ? cashAmountDue(due, actor.store.cashRounding) : due

  let amount = request.amount ?? null
  const tendered = request.tendered ?? null
  // A till's typed 0.00 is told what is wrong in its words; a fraction of a cent only comes from the API
  if (amount !== null && (!Number.isSafeInteger(amount) || amount <= 0)) {
    const message = Number.isSafeInteger(amount) ? 'The amount must be more than zero' : 'The amount must be a positive whole number of cents'
    throw new DomainError(message, { code: 'invalid_amount', field: 'amount' })
  }
  // A rest that cash rounds to nothing (2 cents left by a card where the smallest coin is 5) is
  // settled by cash of nothing, the till's Exact (0.00): it was refused, and no cash could finish the sale
  const nothingInCash = method.isCash && cashDue === 0 && tendered === 0
  if (tendered !== null && !nothingInCash && (!Number.isSafeInteger(tendered) || tendered <= 0 || tendered > MAX_SALE_TOTAL)) {
    const message = tendered === 0 || (Number.isSafeInteger(tendered) && tendered < 0) ? 'The amount tendered must be more than zero' : 'The amount tendered must be a positive whole number of cents, at most what a sale may total'
    throw new DomainError(message, { code: 'invalid_amount', field: 'tendered' })
  }
  if (method.isCash) {
    if (amount === null) amount = Math.min(tendered ?? cashDue, cashDue)
    // Taken as a part payment, 9.69 of 9.68 (9.70 due in cash) completed the sale paid a cent over
    // its total, with neither rounding nor change to account for it
    if (cashShortOfRounding(amount, due, actor.store.cashRounding)) {
      const money = (value: number) => formatMoney(value, actor.store.currency)
      throw new DomainError(`In cash ${money(cashDue)} is due (${money(due)} rounded to the smallest coin): take ${money(cashDue)}, or less as a part payment`, {
        code: 'cash_rounding_due',
        field: request.amount !== null && request.amount !== undefined ? 'amount' : 'tendered',
      })
    }
    if (amount > cashDue) {
      throw new DomainError(`The amount is more than the ${formatMoney(cashDue, actor.store.currency)} due; enter it as tendered to give change`, { code: 'overpayment', field: 'amount' })
    }
    if (tendered !== null && tendered < amount) {
      throw new DomainError(`The amount tendered is below the ${formatMoney(amount, actor.store.currency)} to pay`, { code: 'tendered_too_low', field: 'tendered' })
    }
    if (amount === cashDue) sale.roundingTotal += cashDue - due
  } else {
    if (amount === null) amount = due
    if (amount > due) {
      throw new DomainError(`The amount is more than the ${formatMoney(due, actor.store.currency)} due`, { code: 'overpayment', field: 'amount' })
    }
  }

  return new NewPayment({
    storeId: actor.store.id,
    userId: actor.user.id,
    method: method.id,
    amount,
    tendered: method.isCash ? (tendered ?? amount) : null,
    change: method.isCash ? (tendered ?? amount) - amount : 0,
    reference: request.reference?.slice(0, 120) ?? null,
    status: 'approved',
  })
}

export function ensurePaidInFull(sale: SaleFields, request: PaymentRequest) {
  if (sale.balanceDue > 0) {
    throw new DomainError('The payment does not cover the total; leave out payment_method and add payments instead', {
      code: 'tendered_too_low',
      field: request.tendered !== null && request.tendered !== undefined ? 'tendered' : 'amount',
    })
  }
}
