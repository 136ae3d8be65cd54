import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { actorOf } from '#staff/actor'
import RefundService from '#returns/refund_service'
import VoidService from '#returns/void_service'
import NoReceiptRefundService from '#returns/no_receipt_refund_service'
import SalesQueryService from '#sales/sales_query_service'
import AuthService from '#staff/auth_service'
import { saleJson, refundJson } from '#sales/api_presenters'
import { runIdempotent } from '#platform/idempotency_service'
import { createExchangeValidator, createRefundValidator, noReceiptRefundValidator, refundListValidator, voidSaleValidator } from '#validators/returns'
import RefundListService from '#returns/refund_list_service'
import Register from '#models/register'
import { DomainError } from '#exceptions/domain_error'
import Refund from '#models/refund'

@inject()
export default class RefundsController {
  constructor(
    private refunds: RefundService,
    private voids: VoidService,
    private noReceipt: NoReceiptRefundService,
    private sales: SalesQueryService,
    private auth: AuthService
  ) {}

  /** GET /api/refunds: the store's refunds, newest first, with a receipt or without (those have no sale to be read from) */
  async index({ request, store }: HttpContext) {
    const filters = await request.validateUsing(refundListValidator, { data: request.qs() })
    const page = await new RefundListService()
      .query(store, { from: filters.from, to: filters.to, receipt: filters.receipt ?? 'all' })
      .preload('items')
      .preload('payments')
      .orderBy('id', 'desc')
      .paginate(filters.page ?? 1, filters.per_page ?? 25)
    const meta = page.getMeta()
    return {
      data: page.all().map(refundJson),
      meta: { total: meta.total, per_page: meta.perPage, current_page: meta.currentPage, last_page: meta.lastPage },
    }
  }

  /** POST /api/sales/:id/refunds */
  async store(ctx: HttpContext) {
    await this.sales.mustExist(ctx.store, Number(ctx.params.id) || 0)
    const body = await ctx.request.validateUsing(createRefundValidator)
    return runIdempotent(ctx, async () => {
      const approver = body.manager_pin ? await this.auth.verifyPin(ctx.store.id, body.manager_pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true, field: 'manager_pin' }) : null
      const refund = await this.refunds.refund(actorOf(ctx), Number(ctx.params.id) || 0, {
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

  /** POST /api/refunds: a return without a receipt (a manager, at the current price) */
  async withoutReceipt(ctx: HttpContext) {
    const body = await ctx.request.validateUsing(noReceiptRefundValidator)
    return runIdempotent(ctx, async () => {
      const register = body.register_id
        ? await Register.query().where({ id: body.register_id, store_id: ctx.store.id }).first()
        : await Register.query().where('store_id', ctx.store.id).orderBy('id').first()
      if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
      const approver = body.manager_pin ? await this.auth.verifyPin(ctx.store.id, body.manager_pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true, field: 'manager_pin' }) : null
      const refund = await this.noReceipt.refund(actorOf(ctx), {
        lines: body.items.map((i) => ({ productId: i.product_id, quantity: i.quantity, restock: i.restock ?? true })),
        reason: body.reason ?? '',
        method: body.method ?? null,
        registerId: register.id,
        approver,
      })
      const saved = await Refund.query().where('id', refund.id).preload('items').preload('payments').firstOrFail()
      return { status: 201, body: refundJson(saved) }
    })
  }

  /** POST /api/sales/:id/exchanges: the return and the new sale in one transaction */
  async exchange(ctx: HttpContext) {
    await this.sales.mustExist(ctx.store, Number(ctx.params.id) || 0)
    const body = await ctx.request.validateUsing(createExchangeValidator)
    return runIdempotent(ctx, async () => {
      const approver = body.manager_pin ? await this.auth.verifyPin(ctx.store.id, body.manager_pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true, field: 'manager_pin' }) : null
      const { refund, sale } = await this.refunds.exchange(actorOf(ctx), Number(ctx.params.id) || 0, {
        lines: body.return_items.map((i) => ({ saleItemId: i.sale_item_id, quantity: i.quantity, restock: i.restock ?? true })),
        newLines: body.items.map((i) => ({ productId: i.product_id, quantity: i.quantity })),
        payment: body.payment_method ? { method: body.payment_method, tendered: body.tendered ?? null } : null,
        reason: body.reason ?? '',
        method: body.method ?? null,
        registerId: body.register_id ?? null,
        approver,
      })
      const saved = await Refund.query().where('id', refund.id).preload('items').preload('payments').firstOrFail()
      const detail = await this.sales.find(ctx.store, sale.id)
      const credit = saved.payments.find((p) => p.method === 'exchange')?.amount ?? 0
      return {
        status: 201,
        body: {
          refund: refundJson(saved),
          sale: saleJson(detail.sale, detail.items, detail.payments, detail.refunds),
          // What the customer paid on top of the returned goods, or received back
          customer_pays: detail.sale.paidTotal - credit,
          customer_receives: saved.total - credit,
        },
      }
    })
  }

  /** POST /api/sales/:id/void */
  async void(ctx: HttpContext) {
    await this.sales.mustExist(ctx.store, Number(ctx.params.id) || 0)
    const body = await ctx.request.validateUsing(voidSaleValidator)
    return runIdempotent(ctx, async () => {
      const sale = await this.voids.voidSale(actorOf(ctx), Number(ctx.params.id) || 0, body.reason ?? '')
      const detail = await this.sales.find(ctx.store, sale.id)
      return { status: 200, body: saleJson(detail.sale, detail.items, detail.payments, detail.refunds) }
    })
  }
}
