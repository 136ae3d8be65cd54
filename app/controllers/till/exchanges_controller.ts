import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import TillScreenService from '#sales/till_screen_service'
import RefundService from '#returns/refund_service'
import SalesQueryService from '#sales/sales_query_service'
import AuthService from '#staff/auth_service'
import CatalogService from '#catalog/catalog_service'
import { saleReference } from '#core/sale_reference'
import { parseMoney } from '#core/money'
import { DomainError } from '#exceptions/domain_error'
import { actorOf } from '#staff/actor'
import { refundReceipt } from '#returns/refund_receipt'
import { formQuantity, formReturnLines, formRows, formText } from '#validators/returns'

/*
| The till's exchange: on the Returns screen, the lines coming back and the products the
| customer takes instead, in one transaction. The customer pays the difference (cash or card),
| or receives it back on the original tender.
*/
@inject()
export default class TillExchangesController {
  constructor(
    private screen: TillScreenService,
    private refunds: RefundService,
    private sales: SalesQueryService,
    private auth: AuthService,
    private catalog: CatalogService
  ) {}

  async store(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) throw new DomainError('Choose this till’s register first', { code: 'no_register' })
    const body = ctx.request.body()
    const lines = formReturnLines(body.items)
    if (!lines.length) throw new DomainError('Enter how many of a line come back', { code: 'no_lines', field: 'items' })
    // Left empty: the exact amount. Anything else is an amount or refused: "abc" and "5,00" were
    // read as left empty, and the exchange completed as paid exactly
    const typed: unknown = typeof body.tendered === 'string' ? body.tendered.trim() : (body.tendered ?? '')
    const tendered = typed === '' ? null : typeof typed === 'string' ? parseMoney(typed, ctx.store.currency) : null
    if (typed !== '' && tendered === null) {
      throw new DomainError('Enter the cash tendered as an amount, such as 12.50', { code: 'invalid_amount', field: 'tendered' })
    }

    const newLines: { productId: number; quantity: number }[] = []
    for (const [index, row] of formRows(body.new_items).entries()) {
      const code = formText(row?.code)
      if (!code) continue
      const product = await this.catalog.findByCode(ctx.store.id, code)
      if (!product) throw new DomainError(`No product has the barcode or SKU "${code}"`, { code: 'unknown_product', field: `new_items.${index}.code` })
      newLines.push({ productId: product.id, quantity: formQuantity(row!.quantity, 1) })
    }
    if (!newLines.length) throw new DomainError('Scan or type the product the customer takes instead', { code: 'no_lines', field: 'new_items' })

    const pin = formText(body.manager_pin)
    const approver = pin ? await this.auth.verifyPin(ctx.store.id, pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true, field: 'manager_pin' }) : null
    const { refund, sale } = await this.refunds.exchange(actorOf(ctx), Number(ctx.params.id) || 0, {
      lines,
      newLines,
      payment: { method: formText(body.payment_method) ?? 'cash', tendered },
      reason: formText(body.reason) ?? '',
      method: formText(body.method) && body.method !== 'original' ? formText(body.method) : null,
      registerId: register.id,
      approver,
    })

    const receipt = await refundReceipt(ctx.store, refund.id)
    const detail = await this.sales.find(ctx.store, sale.id)
    const credit = receipt.refund.payments.find((p) => p.method === 'exchange')?.amount ?? 0
    return ctx.view.render('till/_exchange_receipt', {
      ...receipt,
      saleReference,
      newSale: detail.sale,
      items: detail.items,
      payments: detail.payments,
      customerPays: detail.sale.paidTotal - credit,
      customerReceives: receipt.refund.total - credit,
    })
  }
}
