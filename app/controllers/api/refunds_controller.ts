import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import RefundService from '#services/refund_service'
import SalesQueryService from '#services/sales_query_service'
import AuthService from '#services/auth_service'
import { saleJson, refundJson } from '#services/api_presenters'
import { runIdempotent } from '#services/idempotency_service'
import { createRefundValidator, voidSaleValidator } from '#validators/returns'
import Refund from '#models/refund'

@inject()
export default class RefundsController {
  constructor(
    private refunds: RefundService,
    private sales: SalesQueryService,
    private auth: AuthService
  ) {}

  /** POST /api/sales/:id/refunds */
  async store(ctx: HttpContext) {
    const body = await ctx.request.validateUsing(createRefundValidator)
    return runIdempotent(ctx, async () => {
      const approver = body.manager_pin ? await this.auth.verifyPin(ctx.store.id, body.manager_pin, ctx.request.ip(), { managerOnly: true }) : null
      const refund = await this.refunds.refund({ user: ctx.auth.user!, store: ctx.store, ip: ctx.request.ip() }, Number(ctx.params.id) || 0, {
        lines: body.items.map((i) => ({ saleItemId: i.sale_item_id, quantity: i.quantity, restock: i.restock ?? true })),
        reason: body.reason ?? '',
        method: body.method ?? null,
        registerId: body.register_id ?? null,
        approver,
      })
      const saved = await Refund.query().where('id', refund.id).preload('items').preload('payments').firstOrFail()
      return { status: 201, body: refundJson(saved) }
    })
  }

  /** POST /api/sales/:id/void */
  async void(ctx: HttpContext) {
    const body = await ctx.request.validateUsing(voidSaleValidator)
    return runIdempotent(ctx, async () => {
      const sale = await this.refunds.voidSale({ user: ctx.auth.user!, store: ctx.store, ip: ctx.request.ip() }, Number(ctx.params.id) || 0, body.reason ?? '')
      const detail = await this.sales.find(ctx.store, sale.id)
      return { status: 200, body: saleJson(detail.sale, detail.items, detail.payments, detail.refunds) }
    })
  }
}
