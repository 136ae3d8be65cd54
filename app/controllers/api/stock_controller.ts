import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import StockService from '#inventory/stock_service'
import { rowTime } from '#platform/row_time'
import { runIdempotent } from '#platform/idempotency_service'
import { adjustmentValidator, movementsValidator, receiptValidator, receiveTransferValidator, transferValidator } from '#validators/stock'
import { actorOf } from '#staff/actor'

/** The stock API: receipts, adjustments, transfers and a product's ledger (ability manageStock) */
@inject()
export default class StockController {
  constructor(private stock: StockService) {}

  async receipt(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageStock')
    const body = await ctx.request.validateUsing(receiptValidator)
    return runIdempotent(ctx, async () => {
      const receipt = await this.stock.receive(actorOf(ctx), {
        supplier: body.supplier,
        reference: body.reference,
        note: body.note,
        lines: body.items.map((i) => ({ productId: i.product_id, quantity: i.quantity, unitCost: i.unit_cost })),
      })
      return { status: 201, body: receiptJson(receipt) }
    })
  }

  async adjustment(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageStock')
    const body = await ctx.request.validateUsing(adjustmentValidator)
    return runIdempotent(ctx, async () => {
      const adjustment = await this.stock.adjust(actorOf(ctx), {
        reason: body.reason,
        note: body.note,
        lines: body.items.map((i) => ({ productId: i.product_id, quantity: i.quantity })),
      })
      return {
        status: 201,
        body: { id: adjustment.id, reason: adjustment.reason, note: adjustment.note, items: adjustment.lines.map((l) => ({ product_id: l.productId, quantity: l.quantity })) },
      }
    })
  }

  async transfer(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageStock')
    const body = await ctx.request.validateUsing(transferValidator)
    return runIdempotent(ctx, async () => {
      const transfer = await this.stock.sendTransfer(actorOf(ctx), {
        toStoreId: body.to_store_id,
        note: body.note,
        lines: body.items.map((i) => ({ productId: i.product_id, quantity: i.quantity })),
      })
      return { status: 201, body: transferJson(transfer) }
    })
  }

  async receiveTransfer(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageStock')
    await this.stock.incomingTransferMustExist(ctx.store.id, Number(ctx.params.id) || 0)
    const body = await ctx.request.validateUsing(receiveTransferValidator)
    return runIdempotent(ctx, async () => {
      const transfer = await this.stock.receiveTransfer(
        actorOf(ctx),
        Number(ctx.params.id) || 0,
        (body.items ?? []).map((i) => ({ lineId: i.line_id, quantity: i.quantity_received }))
      )
      return { status: 200, body: transferJson(transfer) }
    })
  }

  async movements(ctx: HttpContext) {
    // As the back office's stock history: the notes of adjustments and who made each movement are
    // the managers' (any role could read them here, a cashier included)
    await ctx.bouncer.authorize('manageStock')
    await this.stock.productMustExist(ctx.store.id, Number(ctx.params.id) || 0)
    const query = await ctx.request.validateUsing(movementsValidator, { data: ctx.request.qs() })
    const result = await this.stock.movements(ctx.store.id, Number(ctx.params.id) || 0, query.page ?? 1, query.per_page ?? 50)
    return {
      product_id: Number(result.product.id),
      stock: Number(result.product.stock),
      data: result.data.map((m: any) => ({
        id: Number(m.id),
        quantity: Number(m.quantity),
        balance: m.balance,
        reason: m.reason,
        note: m.note,
        sale_id: m.sale_id === null ? null : Number(m.sale_id),
        document_type: m.document_type,
        document_id: m.document_id === null ? null : Number(m.document_id),
        user: m.user_name ?? null,
        created_at: isoUtc(m.created_at),
      })),
      meta: { total: result.meta.total, per_page: result.meta.perPage, current_page: result.meta.currentPage, last_page: result.meta.lastPage },
    }
  }
}

function isoUtc(value: unknown) {
  return rowTime(value)?.toISO({ suppressMilliseconds: true }) ?? null
}

function receiptJson(receipt: any) {
  return {
    id: Number(receipt.id),
    supplier: receipt.supplier,
    reference: receipt.reference,
    items: receipt.lines.map((l: any) => ({ product_id: Number(l.product_id), sku: l.sku, quantity: Number(l.quantity), unit_cost: Number(l.unit_cost) })),
  }
}

function transferJson(transfer: any) {
  return {
    id: Number(transfer.id),
    status: transfer.status,
    from_store_id: Number(transfer.from_store_id),
    to_store_id: Number(transfer.to_store_id),
    note: transfer.note,
    items: transfer.lines.map((l: any) => ({
      line_id: Number(l.id),
      product_id: Number(l.product_id),
      to_product_id: Number(l.to_product_id),
      sku: l.sku,
      quantity_sent: Number(l.quantity_sent),
      quantity_received: l.quantity_received === null ? null : Number(l.quantity_received),
      difference: l.quantity_received === null ? null : Number(l.quantity_received) - Number(l.quantity_sent),
    })),
  }
}
