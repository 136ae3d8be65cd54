import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import TillScreenService from '#sales/till_screen_service'
import SalesQueryService from '#sales/sales_query_service'
import GatewayPaymentService, { type GatewayOutcome } from '#sales/gateway_payment_service'
import Sale from '#models/sale'
import { paymentMethodLabel } from '#sales/payment_methods'
import { renderCart, shownCartId } from '#controllers/till/render_cart'
import { actorOf } from '#staff/actor'
import { freeText, typedAmount } from '#validators/fields'
import { tillAmount } from '#controllers/till/typed_amount'

const startValidator = vine.create({
  method: vine.string().trim().maxLength(32),
  amount: typedAmount().nullable().optional(),
  approval_code: freeText(20).nullable().optional(),
})

/** Card payments through a gateway plugin: start, the live state (htmx polls every second), cancel */
@inject()
export default class GatewayPaymentsController {
  constructor(
    private gateways: GatewayPaymentService,
    private screen: TillScreenService,
    private sales: SalesQueryService
  ) {}

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(startValidator)
    const saleId = await shownCartId(ctx, this.screen, 'Nothing was charged')
    const outcome = await this.gateways.start(actorOf(ctx), saleId, {
      method: input.method,
      amount: tillAmount(ctx, input.amount, 'amount'),
      approvalCode: input.approval_code ?? null,
    })
    return this.#render(ctx, outcome)
  }

  async show(ctx: HttpContext) {
    return this.#render(ctx, await this.gateways.refresh(actorOf(ctx), Number(ctx.params.id) || 0))
  }

  async cancel(ctx: HttpContext) {
    return this.#render(ctx, await this.gateways.cancel(actorOf(ctx), Number(ctx.params.id) || 0))
  }

  async #render(ctx: HttpContext, { payment, completed }: GatewayOutcome) {
    if (completed) {
      const detail = await this.sales.find(ctx.store, completed.sale.id)
      return ctx.view.render('till/_completed', { ...detail, store: ctx.store, nextCartId: completed.nextCart?.id })
    }
    if (payment.status === 'pending') {
      return ctx.view.render('till/_gateway_payment', { payment, store: ctx.store, label: paymentMethodLabel(payment.method) })
    }
    const sale = await Sale.findOrFail(payment.saleId)
    if (sale.status === 'completed') {
      const detail = await this.sales.find(ctx.store, sale.id)
      return ctx.view.render('till/_completed', { ...detail, store: ctx.store })
    }
    const outcome = {
      approved: `${paymentMethodLabel(payment.method)}: approved`,
      declined: `Declined: ${payment.message ?? 'the card was declined'}. Take another payment.`,
      cancelled: `Payment cancelled${payment.message ? `: ${payment.message}` : ''}.`,
      timed_out: `The terminal timed out${payment.message ? `: ${payment.message}` : ''}. Nothing was charged; try again.`,
    }[payment.status as 'approved' | 'declined' | 'cancelled' | 'timed_out']
    return renderCart(ctx, this.screen, sale, { notice: outcome, gatewayOutcome: payment.status })
  }
}
