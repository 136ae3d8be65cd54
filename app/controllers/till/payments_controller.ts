import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import PaymentService from '#sales/payment_service'
import TillScreenService from '#sales/till_screen_service'
import SalesQueryService from '#sales/sales_query_service'
import { DomainError } from '#exceptions/domain_error'
import { refuseWithoutReceipt } from '#sales/receipt_service'
import { currentSaleId, renderCart, shownCartId } from '#controllers/till/render_cart'
import { tillPaymentValidator } from '#validators/sales'
import { tillAmount } from '#controllers/till/typed_amount'
import { actorOf } from '#staff/actor'

@inject()
export default class PaymentsController {
  constructor(
    private payments: PaymentService,
    private screen: TillScreenService,
    private sales: SalesQueryService
  ) {}

  /** Takes a payment; the one that covers the balance completes the sale and shows the receipt */
  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(tillPaymentValidator)
    const amount = tillAmount(ctx, input.amount, 'amount')
    const tendered = tillAmount(ctx, input.tendered, 'tendered')
    if (input.method === 'cash' && tendered === null && amount === null) {
      throw new DomainError('Enter the amount the customer handed over', { code: 'tendered_required', field: 'tendered' })
    }
    const saleId = await shownCartId(ctx, this.screen, 'Nothing was paid')
    const outcome = await this.payments.addPayment(actorOf(ctx), saleId, {
      method: input.method,
      amount,
      tendered,
      reference: input.reference ?? null,
    })
    if (!outcome.completed) return renderCart(ctx, this.screen, outcome.sale)
    const detail = await this.sales.find(ctx.store, outcome.sale.id)
    return ctx.view.render('till/_completed', { ...detail, store: ctx.store, nextCartId: outcome.nextCart?.id })
  }

  async destroy(ctx: HttpContext) {
    const saleId = await currentSaleId(ctx, this.screen)
    const sale = await this.payments.removePayment(actorOf(ctx), saleId, Number(ctx.params.id))
    return renderCart(ctx, this.screen, sale)
  }

  /** The printable receipt page (the browser's print dialog is the fallback without a printer) */
  async receipt(ctx: HttpContext) {
    const detail = await this.sales.find(ctx.store, Number(ctx.params.id) || 0)
    refuseWithoutReceipt(detail.sale)
    return ctx.view.render('till/receipt', { ...detail, store: ctx.store, autoprint: ctx.request.qs().print === '1' })
  }
}
