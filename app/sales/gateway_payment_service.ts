import { randomUUID } from 'node:crypto'
import logger from '@adonisjs/core/services/logger'
import Payment from '#models/payment'
import Sale from '#models/sale'
import PaymentService from '#sales/payment_service'
import type { PaymentOutcome } from '#sales/checkout_rules'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { paymentMethod } from '#sales/payment_methods'
import { formatMoney } from '#core/money'
import { pluginRegistry } from '#plugins/registry'
import { refuseLeasedRegisterOf } from '#sales/register_lease_service'
import type { GatewayPaymentStatus, PaymentGateway } from '#plugins/contracts/payment_gateway'

/*
| Payments through a gateway plugin (a card terminal). A payment is a pending row first, with
| an idempotency key that goes to the gateway; only the gateway's "approved" makes it count
| toward the sale (the approval that covers the balance completes it). A network error or a
| silent terminal leaves the row pending: the till asks again with the same key, so a retry
| can never charge twice. Declined, cancelled and timed-out payments stay as rows, never count.
|
| Refunds through the gateway (gateway.refund with the payment's reference) belong to the
| refunds service; see refundThroughGateway below for the hook it should call.
*/

export interface GatewayOutcome {
  payment: Payment
  /** Set when the approval covered the balance: the sale is completed */
  completed?: PaymentOutcome
}

export default class GatewayPaymentService {
  #payments = new PaymentService()

  async start(actor: Actor, saleId: number, request: { method: string; amount?: number | null; approvalCode?: string | null }): Promise<GatewayOutcome> {
    const method = paymentMethod(request.method)
    if (!method?.gatewayId) {
      throw new DomainError(`"${request.method}" is not a method of an enabled payment gateway`, { code: 'unknown_payment_method', field: 'method' })
    }
    const approvalCode = request.approvalCode?.trim() || null
    if (method.needsApprovalCode && !approvalCode) {
      throw new DomainError('Type the approval code the card machine printed', { code: 'approval_code_required', field: 'approval_code' })
    }
    if (approvalCode && !/^[A-Za-z0-9-]{2,20}$/.test(approvalCode)) {
      throw new DomainError('The approval code is 2 to 20 letters or digits', { code: 'invalid_approval_code', field: 'approval_code' })
    }
    const gateway = this.#gateway(method.gatewayId)

    const { payment, existing } = await inTransaction(async (trx) => {
      const sale = await Sale.query({ client: trx }).where({ id: saleId, store_id: actor.store.id }).forUpdate().first()
      if (!sale) throw notFound('The sale', 'sale_id')
      if (sale.status !== 'open') throw new DomainError(`This sale is ${sale.status}`, { status: 409, code: `sale_${sale.status}` })
      // Refused before the card is charged: its approval could not complete the sale on a register another till holds
      if (sale.registerId) await refuseLeasedRegisterOf(trx, sale.registerId, actor.deviceId)
      // One card payment at a time: pressing the method again brings the one in progress back
      const pending = await Payment.query({ client: trx }).where({ sale_id: sale.id, status: 'pending' }).first()
      if (pending) return { payment: pending, existing: true }
      const lines = await trx.from('sale_items').where('sale_id', sale.id).count('* as n').first()
      if (!Number(lines?.n)) throw new DomainError('The sale has no items to pay for', { code: 'empty_cart' })
      const due = sale.balanceDue
      if (due <= 0) throw new DomainError('This sale is already paid', { status: 409, code: 'already_paid' })
      const amount = request.amount ?? due
      if (!Number.isSafeInteger(amount) || amount <= 0) {
        throw new DomainError('The amount must be a positive whole number of cents', { code: 'invalid_amount', field: 'amount' })
      }
      if (amount > due) {
        throw new DomainError(`The amount is more than the ${formatMoney(due, actor.store.currency)} due`, { code: 'overpayment', field: 'amount' })
      }
      const created = new Payment()
      created.fill({
        saleId: sale.id,
        storeId: actor.store.id,
        userId: actor.user.id,
        method: method.id,
        amount,
        tendered: null,
        change: 0,
        reference: null,
        status: 'pending',
        gateway: gateway.id,
        idempotencyKey: randomUUID(),
        message: 'Starting…',
      })
      await created.useTransaction(trx).save()
      await recordAudit(
        { action: 'gateway_payment_started', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { paymentId: created.id, method: method.id, amount, gateway: gateway.id }, ip: actor.ip },
        trx
      )
      return { payment: created, existing: false }
    })
    if (existing) return this.refresh(actor, payment.id)

    let status: GatewayPaymentStatus
    try {
      status = await gateway.start({
        method: method.id,
        amount: payment.amount,
        currency: actor.store.currency,
        idempotencyKey: payment.idempotencyKey!,
        saleId,
        storeId: actor.store.id,
        registerId: (await Sale.findOrFail(saleId)).registerId,
        approvalCode,
      })
    } catch (error: any) {
      // The request may or may not have reached the terminal: stay pending, ask again with the same key
      status = { state: 'pending', message: `No answer from the terminal yet (${error.message}); asking again…` }
    }
    return this.#apply(actor, payment, status)
  }

  /** The till polls this: asks the gateway for the state of the pending payment under its key */
  async refresh(actor: Actor, paymentId: number): Promise<GatewayOutcome> {
    const payment = await this.find(actor, paymentId)
    if (payment.status !== 'pending') return { payment }
    const gateway = this.#gatewayOrNull(payment.gateway!)
    if (!gateway) return this.#apply(actor, payment, { state: 'pending', message: `The gateway "${payment.gateway}" is not enabled; enable it again or cancel` })
    let status: GatewayPaymentStatus
    try {
      status = await gateway.status(payment.idempotencyKey!)
    } catch (error: any) {
      status = { state: 'pending', message: `The terminal does not answer (${error.message}); still waiting…` }
    }
    return this.#apply(actor, payment, status)
  }

  async cancel(actor: Actor, paymentId: number): Promise<GatewayOutcome> {
    const payment = await this.find(actor, paymentId)
    if (payment.status !== 'pending') return { payment }
    const gateway = this.#gatewayOrNull(payment.gateway!)
    if (!gateway) {
      // No gateway to ask: the POS drops the payment; the cashier checks the terminal by hand
      return this.#apply(actor, payment, { state: 'cancelled', message: 'Cancelled in the POS only (the gateway is not enabled): check the terminal' })
    }
    let status: GatewayPaymentStatus
    try {
      status = await gateway.cancel(payment.idempotencyKey!)
    } catch (error: any) {
      status = { state: 'pending', message: `The terminal did not confirm the cancel (${error.message}): cancel on the terminal, then try again` }
    }
    // A terminal that already approved says so: the payment then counts, it is not dropped
    return this.#apply(actor, payment, status)
  }

  async find(actor: Actor, paymentId: number) {
    const payment = await Payment.query().where({ id: paymentId, store_id: actor.store.id }).whereNotNull('gateway').first()
    if (!payment) throw notFound('The payment')
    return payment
  }

  /**
   * The hook for the refunds service: a refund of a gateway payment goes back through its
   * gateway under its own idempotency key. Not wired yet: refunds are built on another branch.
   */
  async refundThroughGateway(payment: Payment, amount: number, currency: string, idempotencyKey: string) {
    if (!payment.gateway || !payment.reference) throw new DomainError('This payment was not taken through a gateway', { code: 'not_a_gateway_payment' })
    return this.#gateway(payment.gateway).refund({ reference: payment.reference, amount, currency, idempotencyKey })
  }

  async #apply(actor: Actor, payment: Payment, status: GatewayPaymentStatus): Promise<GatewayOutcome> {
    const message = status.message?.slice(0, 255) ?? null
    if (status.state === 'pending') {
      if (message !== payment.message) {
        await Payment.query().where({ id: payment.id, status: 'pending' }).update({ message })
        payment.message = message
      }
      return { payment }
    }
    if (status.state === 'approved') {
      try {
        const completed = await this.#payments.approveGatewayPayment(actor, payment.saleId, payment.id, status.reference ?? null)
        if (message) await Payment.query().where('id', payment.id).update({ message })
        return { payment: completed.payment, completed: completed.completed ? completed : undefined }
      } catch (error) {
        // Another poll approved it first: read what it wrote
        const fresh = await Payment.findOrFail(payment.id)
        if (fresh.status === 'approved') return { payment: fresh }
        throw error
      }
    }
    // declined, cancelled, timed out: the row stays, it never counts
    const updated = await Payment.query().where({ id: payment.id, status: 'pending' }).update({ status: status.state, message, reference: status.reference ?? null })
    if (Array.isArray(updated) ? updated[0] : updated) {
      await recordAudit({ action: `gateway_payment_${status.state}`, storeId: payment.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: payment.saleId, data: { paymentId: payment.id, method: payment.method, amount: payment.amount }, ip: actor.ip })
    }
    logger.info({ paymentId: payment.id, state: status.state }, 'Gateway payment %s', status.state)
    return { payment: await Payment.findOrFail(payment.id) }
  }

  #gatewayOrNull(id: string): PaymentGateway | null {
    return pluginRegistry.paymentGateways().find((g) => g.id === id) ?? null
  }

  #gateway(id: string): PaymentGateway {
    const gateway = this.#gatewayOrNull(id)
    if (!gateway) throw new DomainError(`The payment gateway "${id}" is not enabled`, { status: 409, code: 'gateway_unavailable', field: 'method' })
    return gateway
  }
}
