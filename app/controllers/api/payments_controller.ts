import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { actorOf } from '#staff/actor'
import PaymentService from '#sales/payment_service'
import SalesQueryService from '#sales/sales_query_service'
import { paymentJson, saleJson } from '#sales/api_presenters'
import { runIdempotent, runIdempotentInTransaction } from '#platform/idempotency_service'
import { createPaymentValidator } from '#validators/sales'
import { removeApiPayment } from '#sales/api_open_sale'

@inject()
export default class PaymentsController {
  constructor(
    private payments: PaymentService,
    private sales: SalesQueryService
  ) {}

  async store(ctx: HttpContext) {
    await ctx.bouncer.authorize('sell')
    const body = await ctx.request.validateUsing(createPaymentValidator)
    // The payment and its key commit together: no claim can outlive the payment it guards
    return runIdempotentInTransaction(ctx, async (trx) => {
      const { payment } = await this.payments.addPayment(
        actorOf(ctx),
        body.sale_id,
        { method: body.method, amount: body.amount, tendered: body.tendered ?? null, reference: body.reference ?? null },
        trx
      )
      const detail = await this.sales.find(ctx.store, body.sale_id, trx)
      return { status: 201, body: { ...paymentJson(payment), sale: saleJson(detail.sale, detail.items, detail.payments, detail.refunds) } }
    })
  }

  /** DELETE /api/payments/:id: a payment taken off an open sale the API started (retried with its Idempotency-Key, the same answer) */
  async destroy(ctx: HttpContext) {
    await ctx.bouncer.authorize('sell')
    return runIdempotent(ctx, async () => {
      const sale = await removeApiPayment(actorOf(ctx), Number(ctx.params.id) || 0)
      const detail = await this.sales.find(ctx.store, sale.id)
      return { status: 200, body: saleJson(detail.sale, detail.items, detail.payments, detail.refunds) }
    })
  }

  async index({ params, bouncer, store }: HttpContext) {
    await bouncer.authorize('viewSales')
    const { payments } = await this.sales.find(store, Number(params.sale_id) || 0)
    return { data: payments.map(paymentJson) }
  }
}
