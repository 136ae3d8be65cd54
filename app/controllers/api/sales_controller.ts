import type { HttpContext } from '@adonisjs/core/http'
import { DomainError } from '#exceptions/domain_error'
import { inject } from '@adonisjs/core'
import { actorOf } from '#staff/actor'
import CheckoutService from '#sales/checkout_service'
import SalesQueryService from '#sales/sales_query_service'
import { saleJson } from '#sales/api_presenters'
import { runIdempotent, runIdempotentInTransaction } from '#platform/idempotency_service'
import { createSaleValidator, saleListValidator } from '#validators/sales'
import { cancelApiSale } from '#sales/api_open_sale'

@inject()
export default class SalesController {
  constructor(
    private checkout: CheckoutService,
    private sales: SalesQueryService
  ) {}

  async index({ request, bouncer, store }: HttpContext) {
    await bouncer.authorize('viewSales')
    const filters = await request.validateUsing(saleListValidator, { data: request.qs() })
    const page = await this.sales.list(store, {
      from: filters.from,
      to: filters.to,
      status: filters.status,
      page: filters.page,
      perPage: filters.per_page,
    })
    const meta = page.getMeta()
    return {
      data: page.all().map((sale) => saleJson(sale, [], [])).map(({ items, payments, ...summary }) => summary),
      meta: { total: meta.total, per_page: meta.perPage, current_page: meta.currentPage, last_page: meta.lastPage },
    }
  }

  async show({ params, bouncer, store }: HttpContext) {
    await bouncer.authorize('viewSales')
    const { sale, items, payments, refunds } = await this.sales.find(store, Number(params.id) || 0)
    return saleJson(sale, items, payments, refunds)
  }

  /** POST /api/sales/:id/cancel: an open sale the API started, given up (kept, voided; retried with its Idempotency-Key, the same answer) */
  async cancel(ctx: HttpContext) {
    await ctx.bouncer.authorize('sell')
    return runIdempotent(ctx, async () => {
      await cancelApiSale(actorOf(ctx), Number(ctx.params.id) || 0)
      const { sale, items, payments, refunds } = await this.sales.find(ctx.store, Number(ctx.params.id) || 0)
      return { status: 200, body: saleJson(sale, items, payments, refunds) }
    })
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.authorize('sell')
    const body = await ctx.request.validateUsing(createSaleValidator)
    // One discount a line: with both, one of them would be dropped without a word
    const twice = body.items.findIndex((item) => item.discount !== undefined && item.discount_percent !== undefined)
    if (twice >= 0) throw new DomainError('Give a line either discount (an amount) or discount_percent, not both', { code: 'invalid_discount', field: `items.${twice}.discount` })
    return runIdempotentInTransaction(ctx, async (trx) => {
      const { sale, items, payment, savedAs } = await this.checkout.createSale(actorOf(ctx), body.register_id ?? null, {
        customerId: body.customer_id ?? null,
        lines: body.items.map((item) => ({
          productId: item.product_id,
          quantity: item.quantity,
          discountType: item.discount_percent !== undefined ? 'percent' : item.discount !== undefined ? 'amount' : null,
          discountValue: item.discount_percent !== undefined ? Math.round(item.discount_percent * 100) : (item.discount ?? 0),
        })),
        payment: body.payment_method ? { method: body.payment_method, tendered: body.tendered ?? null, reference: body.reference ?? null } : null,
        client: trx,
        lastInTransaction: true,
      })
      // Answered from the objects the checkout just wrote (its lines and payments), not read back;
      // a sale written with the COMMIT has its ids once that has answered
      const answer = () => saleJson(sale, items, payment ? [payment] : [], [])
      return savedAs ? { status: 201, body: answer, savedAs } : { status: 201, body: answer() }
    }, async (id) => {
      const { sale, items, payments, refunds } = await this.sales.find(ctx.store, id)
      return saleJson(sale, items, payments, refunds)
    })
  }
}
