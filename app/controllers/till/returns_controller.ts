import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import TillScreenService from '#sales/till_screen_service'
import RefundService from '#returns/refund_service'
import NoReceiptRefundService from '#returns/no_receipt_refund_service'
import ReturnSearchService from '#returns/return_search_service'
import { saleReference } from '#core/sale_reference'
import SalesQueryService from '#sales/sales_query_service'
import AuthService from '#staff/auth_service'
import CatalogService from '#catalog/catalog_service'
import { DomainError } from '#exceptions/domain_error'
import { actorOf } from '#staff/actor'
import { formQuantity, formRestock, formReturnLines, formText } from '#validators/returns'
import { refundMethods } from '#returns/refund_points'
import { refundReceipt } from '#returns/refund_receipt'
import { returnFormChoices } from '#returns/refund_tenders'

/*
| The till's Returns screen: find the sale (scan the receipt, or search), pick lines and
| quantities with restock or damaged per line, a reason and the tender, then the refund receipt.
*/
@inject()
export default class TillReturnsController {
  constructor(
    private screen: TillScreenService,
    private refunds: RefundService,
    private withoutReceipt: NoReceiptRefundService,
    private search: ReturnSearchService,
    private sales: SalesQueryService,
    private auth: AuthService,
    private catalog: CatalogService
  ) {}

  async index(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) return ctx.response.redirect('/till')
    const qs = ctx.request.qs()
    const input = { q: formText(qs.q), date: formText(qs.date), customer: formText(qs.customer) }
    const { sales, exact, fullyReturned } = await this.search.search(ctx.store, input)
    // A scanned receipt goes straight to its sale
    if (exact) {
      if (ctx.request.header('hx-request')) {
        ctx.response.header('HX-Redirect', `/till/returns/${sales[0].id}`)
        return ctx.response.status(204).send('')
      }
      return ctx.response.redirect(`/till/returns/${sales[0].id}`)
    }
    const searched = !!(input.q || input.date || input.customer)
    const view = ctx.request.header('hx-request') ? 'till/_return_results' : 'till/returns'
    return ctx.view.render(view, { register, sales, fullyReturned, searched, input, saleReference, methods: refundMethods(null), canApprove: ctx.auth.user!.isManager })
  }

  async show(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) return ctx.response.redirect('/till')
    const detail = await this.sales.find(ctx.store, Number(ctx.params.id) || 0)
    const { methods, originalHint } = await returnFormChoices({ id: detail.sale.id, customer: detail.sale.customer ?? null, payments: detail.payments, refunds: detail.refunds }, ctx.store.currency)
    return ctx.view.render('till/returns', { register, detail, methods, originalHint, saleReference, canApprove: ctx.auth.user!.isManager })
  }

  async store(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) throw new DomainError('Choose this till’s register first', { code: 'no_register' })
    const saleId = Number(ctx.params.id) || 0
    const body = ctx.request.body()
    const lines = formReturnLines(body.items)
    if (!lines.length) throw new DomainError('Enter how many of a line come back', { code: 'no_lines', field: 'items' })
    const method = formText(body.method)
    const pin = formText(body.manager_pin)
    const approver = pin ? await this.auth.verifyPin(ctx.store.id, pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true, field: 'manager_pin' }) : null
    const refund = await this.refunds.refund(actorOf(ctx), saleId, {
      lines,
      reason: formText(body.reason) ?? '',
      method: method && method !== 'original' ? method : null,
      registerId: register.id,
      approver,
    })
    return ctx.view.render('till/_refund_done', { ...(await refundReceipt(ctx.store, refund.id)), saleReference })
  }

  /** GET /till/refunds/:id: a refund's receipt again, to print (the browser's print dialog) */
  async receipt(ctx: HttpContext) {
    const receipt = await refundReceipt(ctx.store, Number(ctx.params.id) || 0)
    return ctx.view.render('till/refund', { ...receipt, saleReference, autoprint: ctx.request.qs().print === '1' })
  }

  /** POST /till/returns/no-receipt: a manager's return at today's price */
  async noReceipt(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) throw new DomainError('Choose this till’s register first', { code: 'no_register' })
    const body = ctx.request.body()
    const code = formText(body.code)
    const product = code ? await this.catalog.findByCode(ctx.store.id, code) : null
    if (!product) throw new DomainError('No product has this barcode or SKU', { code: 'unknown_product', field: 'code' })
    const pin = formText(body.manager_pin)
    const approver = pin ? await this.auth.verifyPin(ctx.store.id, pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true, field: 'manager_pin' }) : null
    const refund = await this.withoutReceipt.refund(actorOf(ctx), {
      lines: [{ productId: product.id, quantity: formQuantity(body.quantity, 1), restock: formRestock(body.restock, 'restock') }],
      reason: formText(body.reason) ?? '',
      method: formText(body.method),
      registerId: register.id,
      approver,
    })
    return ctx.view.render('till/_refund_done', { ...(await refundReceipt(ctx.store, refund.id)), saleReference })
  }
}
