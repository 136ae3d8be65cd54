import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Refund from '#models/refund'
import Payment from '#models/payment'
import GatewayPaymentService from '#sales/gateway_payment_service'
import type User from '#models/user'
import CheckoutService from '#sales/checkout_service'
import type { LineRequest, PaymentRequest } from '#sales/checkout_rules'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { affectedRows, inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { refundHash, voidHash } from '#core/sale_chain'
import { paymentMethod } from '#sales/payment_methods'
import { returnToStock } from '#returns/stock_return'
import { publish } from '#events/domain_events'
import Product from '#models/product'
import { priceCart } from '#core/pricing'
import { taxCalculatorFor } from '#sales/flat_rate_tax'

/*
| Returns and voids of completed sales. A refund gives back what the customer actually paid
| for the returned units (their share of the line total, after discounts and with tax), puts
| the units back in stock or in the damaged bin, and is a link of its register's hash chain.
| Every refund and void takes its locks in one order: the register row, the sale row, the
| sale's lines, then products by id (a sale's completion takes register, then products).
*/

export interface RefundLineRequest {
  saleItemId: number
  quantity: number
  /** true: back to sellable stock; false: to the damaged bin */
  restock: boolean
}

export interface RefundRequest {
  lines: RefundLineRequest[]
  reason: string
  /** Another tender than the original one needs a manager */
  method?: string | null
  /** The register (drawer) that pays the money back; the sale's own by default */
  registerId?: number | null
  /** A manager who approved with their PIN (the actor, when a manager, approves themselves) */
  approver?: User | null
}

/** The money back per tender, and the manager who approved another tender than the original */
type Tenders = { method: string; amount: number }[] & { approvedBy?: number | null }

export interface ExchangeRequest extends RefundRequest {
  /** The new lines the customer takes */
  newLines: LineRequest[]
  /** Pays what the returned goods do not cover */
  payment?: PaymentRequest | null
}

/** Given the returned goods' value and the register, makes the new sale; answers how much of the credit it used */
type ExchangeMaker = (credit: number, registerId: number) => Promise<{ used: number; saleId: number }>

export interface RefundPlan {
  refund: Refund
  restockedProductIds: number[]
}

/**
 * The money for returning `returning` more units of a line sold `quantity` times for `lineTotal`,
 * of which `refundedQuantity` units were already refunded for `refundedAmount`. Shares are taken
 * cumulatively (floor of total × units / quantity), so partial refunds never add up to more than
 * the line, and the last unit gets the remainder. Integer (BigInt) arithmetic, one place.
 */
export function refundShare(lineTotal: number, quantity: number, refundedQuantity: number, refundedAmount: number, returning: number): number {
  const after = refundedQuantity + returning
  if (after >= quantity) return lineTotal - refundedAmount
  const cumulative = Number((BigInt(lineTotal) * BigInt(after)) / BigInt(quantity))
  return Math.max(0, cumulative - refundedAmount)
}

/**
 * A completed sale may be voided while its shift is open (its drawer not yet counted); a sale
 * made without a shift (the API on a register with none) only on its business day in the
 * store's time zone.
 */
export function voidWindowOpen(sale: Sale, timeZone: string, shiftOpen: boolean | null, now: DateTime = DateTime.utc()) {
  if (!sale.completedAt) return false
  if (shiftOpen !== null) return shiftOpen
  return sale.completedAt.setZone(timeZone).hasSame(now.setZone(timeZone), 'day')
}

export default class RefundService {
  async refund(actor: Actor, saleId: number, request: RefundRequest): Promise<Refund> {
    const plan = await inTransaction((trx) => this.refundWithin(trx, actor, saleId, request))
    this.publishRefunded(plan)
    return plan.refund
  }

  /** The events of a committed refund (an exchange publishes them after its own commit) */
  publishRefunded(plan: RefundPlan) {
    const { refund, restockedProductIds } = plan
    publish('sale:refunded', { refundId: refund.id, saleId: refund.saleId ?? 0, storeId: refund.storeId, registerId: refund.registerId, total: refund.total })
    if (restockedProductIds.length) publish('stock:changed', { storeId: refund.storeId, reason: 'refund', productIds: restockedProductIds })
  }

  /** The refund, inside the caller's transaction */
  async refundWithin(trx: TransactionClientContract, actor: Actor, saleId: number, request: RefundRequest, options: { exchange?: ExchangeMaker } = {}): Promise<RefundPlan> {
    const reason = this.#reason(request.reason)
    if (!request.lines.length) throw new DomainError('Choose at least one line to return', { code: 'no_lines', field: 'items' })
    const seen = new Set<number>()
    request.lines.forEach((line, index) => {
      if (!Number.isInteger(line.quantity) || line.quantity < 1) {
        throw new DomainError('The quantity must be a whole number of at least 1', { code: 'invalid_quantity', field: `items.${index}.quantity` })
      }
      if (seen.has(line.saleItemId)) {
        throw new DomainError('This line is listed twice', { code: 'duplicate_line', field: `items.${index}.sale_item_id` })
      }
      seen.add(line.saleItemId)
    })
    if (request.method && !paymentMethod(request.method)) {
      throw new DomainError(`Unknown payment method "${request.method}"`, { code: 'unknown_payment_method', field: 'method' })
    }

    const { sale, register } = await this.#lockCompletedSale(trx, actor, saleId, request.registerId ?? null)
    const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('id').forUpdate()
    const byId = new Map(items.map((i) => [i.id, i]))

    const lines = request.lines.map((line, index) => {
      const item = byId.get(line.saleItemId)
      if (!item) throw notFound('The line', `items.${index}.sale_item_id`)
      const left = item.quantity - item.refundedQuantity
      if (line.quantity > left) throw this.#overReturn(item, left, index)
      const amount = refundShare(item.total, item.quantity, item.refundedQuantity, item.refundedAmount, line.quantity)
      const taxAmount = refundShare(item.taxTotal, item.quantity, item.refundedQuantity, item.refundedTax, line.quantity)
      return { index, item, quantity: line.quantity, restock: line.restock, amount, taxAmount }
    })

    // Never more money back than the customer paid (cash rounding can make that a little less)
    const linesTotal = lines.reduce((sum, l) => sum + l.amount, 0)
    const taxTotal = lines.reduce((sum, l) => sum + l.taxAmount, 0)
    const total = Math.max(0, Math.min(linesTotal, sale.paidTotal - sale.refundedTotal))

    // An exchange moves the credit to the new sale; what it does not use goes back as a refund
    let exchangeSaleId: number | null = null
    let payments: Tenders
    if (options.exchange) {
      const made = await options.exchange(total, register.id)
      exchangeSaleId = made.saleId
      const rest = total - made.used
      payments = rest > 0 ? await this.#tenders(trx, actor, sale, rest, request) : []
      if (made.used > 0) payments.unshift({ method: 'exchange', amount: made.used })
    } else {
      payments = await this.#tenders(trx, actor, sale, total, request)
    }
    await this.#refundThroughGateways(trx, actor, sale, payments)

    // Two tills returning the same line at once: the second finds the count already raised
    for (const line of lines) {
      const updated = await trx
        .from('sale_items')
        .where('id', line.item.id)
        .where('refunded_quantity', '<=', line.item.quantity - line.quantity)
        .update({
          refunded_quantity: trx.raw('refunded_quantity + ?', [line.quantity]),
          refunded_amount: trx.raw('refunded_amount + ?', [line.amount]),
          refunded_tax: trx.raw('refunded_tax + ?', [line.taxAmount]),
        })
      if (affectedRows(updated) === 0) throw this.#overReturn(line.item, 0, line.index)
    }

    const createdAt = DateTime.utc().startOf('second')
    // Read again: an exchange's new sale has just become the head of this register's chain
    // (a locking read: on MariaDB a plain read would see the snapshot taken before the lock was granted)
    const head = await trx.from('registers').where('id', register.id).forUpdate().select('last_sale_hash').first()
    const previousHash = head?.last_sale_hash ?? null
    const hash = refundHash(previousHash, {
      storeId: sale.storeId,
      registerId: register.id,
      saleId: sale.id,
      createdAt: createdAt.toISO()!,
      reason,
      total,
      taxTotal,
      items: lines.map((l) => ({ saleItemId: l.item.id, productId: l.item.productId, quantity: l.quantity, amount: l.amount, restock: l.restock })),
      payments,
    })
    const approvedBy = payments.approvedBy ?? null
    const refund = new Refund()
    refund.useTransaction(trx)
    refund.fill({
      storeId: sale.storeId,
      saleId: sale.id,
      registerId: register.id,
      userId: actor.user.id,
      approvedBy,
      reason,
      kind: options.exchange ? 'exchange' : 'refund',
      exchangeSaleId,
      total,
      taxTotal,
      previousHash,
      hash,
      createdAt,
    })
    await refund.save()
    await trx.insertQuery().table('refund_items').multiInsert(
      lines.map((l) => ({
        refund_id: refund.id,
        sale_item_id: l.item.id,
        product_id: l.item.productId,
        quantity: l.quantity,
        amount: l.amount,
        tax_amount: l.taxAmount,
        restock: l.restock,
      }))
    )
    await trx.insertQuery().table('refund_payments').multiInsert(payments.map((p) => ({ refund_id: refund.id, method: p.method, amount: p.amount })))

    // Restocked units go back on the shelf; damaged ones are only recorded on the refund line
    const productIds = await returnToStock(trx, { storeId: sale.storeId, userId: actor.user.id, saleId: sale.id, reason: 'refund', note: `refund ${refund.id}`, at: createdAt }, lines.filter((l) => l.restock).map((l) => ({ productId: l.item.productId, quantity: l.quantity })))

    await trx.from('sales').where('id', sale.id).increment('refunded_total', total)
    await trx.from('registers').where('id', register.id).update({ last_sale_hash: hash })
    await recordAudit(
      {
        action: 'refund',
        storeId: sale.storeId,
        userId: actor.user.id,
        subjectType: 'sale',
        subjectId: sale.id,
        data: {
          refundId: refund.id,
          number: sale.number,
          total,
          reason,
          tenders: payments.map((p) => `${p.method}:${p.amount}`),
          approvedBy,
          damaged: lines.filter((l) => !l.restock).map((l) => ({ saleItemId: l.item.id, quantity: l.quantity })),
        },
        ip: actor.ip,
      },
      trx
    )
    return { refund, restockedProductIds: productIds }
  }

  /**
   * An exchange: the return and the new sale in one transaction. The new sale is paid first by
   * the returned goods' value ('exchange'), then by the payment for any difference; a credit
   * left over goes back to the original tender as the refund.
   */
  async exchange(actor: Actor, saleId: number, request: ExchangeRequest) {
    const checkout = new CheckoutService()
    let newSale: Sale | null = null
    const plan = await inTransaction(async (trx) => {
      newSale = null
      return this.refundWithin(trx, actor, saleId, request, {
        exchange: async (credit, registerId) => {
          const { sale } = await checkout.createSale(actor, registerId, {
            lines: request.newLines,
            payment: request.payment ?? null,
            credit: { method: 'exchange', amount: credit },
            client: trx,
          })
          newSale = sale
          return { used: Math.min(credit, sale.total), saleId: sale.id }
        },
      })
    })
    // The new sale's sale:completed went out with the commit (CheckoutService.createSale)
    this.publishRefunded(plan)
    return { refund: plan.refund, sale: newSale! as Sale }
  }

  /**
   * A return without a receipt: a manager's decision, refunded at the product's current price
   * (with tax), to cash unless another tender is chosen. Not linked to any sale.
   */
  async refundWithoutReceipt(
    actor: Actor,
    request: { lines: { productId: number; quantity: number; restock: boolean }[]; reason: string; method?: string | null; registerId: number; approver?: User | null }
  ): Promise<Refund> {
    const reason = this.#reason(request.reason)
    const approver = actor.user.isManager ? actor.user : request.approver
    if (!approver?.isManager) {
      throw new DomainError('A return without a receipt needs a manager: enter a manager’s PIN', { status: 403, code: 'manager_required', field: 'manager_pin' })
    }
    if (!request.lines.length) throw new DomainError('Choose at least one product to return', { code: 'no_lines', field: 'items' })
    const method = request.method ?? 'cash'
    if (!paymentMethod(method)) throw new DomainError(`Unknown payment method "${method}"`, { code: 'unknown_payment_method', field: 'method' })
    request.lines.forEach((line, index) => {
      if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 9999) {
        throw new DomainError('The quantity must be a whole number from 1 to 9999', { code: 'invalid_quantity', field: `items.${index}.quantity` })
      }
    })

    const plan = await inTransaction(async (trx) => {
      const register = await trx.from('registers').where({ id: request.registerId, store_id: actor.store.id }).forUpdate().select('id', 'last_sale_hash').first()
      if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
      const products = await Product.query({ client: trx }).whereIn('id', request.lines.map((l) => l.productId)).where('store_id', actor.store.id)
      const byId = new Map(products.map((p) => [p.id, p]))
      const lines = request.lines.map((line, index) => {
        const product = byId.get(line.productId)
        if (!product) throw notFound('The product', `items.${index}.product_id`)
        return { ...line, product }
      })
      const priced = await priceCart(
        lines.map((l, key) => ({ key, quantity: l.quantity, unitPrice: l.product.price, taxClass: l.product.taxClass, discountType: null, discountValue: 0 })),
        { type: null, value: 0 },
        taxCalculatorFor(actor.store.id),
        { storeId: actor.store.id, pricesIncludeTax: actor.store.pricesIncludeTax, customerId: null, client: trx }
      )
      const amounts = priced.lines.map((p) => ({ amount: p.total, tax: p.taxTotal }))
      const total = priced.total
      const taxTotal = priced.taxTotal
      const createdAt = DateTime.utc().startOf('second')
      const previousHash = register.last_sale_hash ?? null
      const payments = [{ method, amount: total }]
      const hash = refundHash(previousHash, {
        storeId: actor.store.id,
        registerId: register.id,
        saleId: 0,
        createdAt: createdAt.toISO()!,
        reason,
        total,
        taxTotal,
        items: lines.map((l, i) => ({ saleItemId: 0, productId: l.product.id, quantity: l.quantity, amount: amounts[i].amount, restock: l.restock })),
        payments,
      })
      const refund = new Refund()
      refund.useTransaction(trx)
      refund.fill({ storeId: actor.store.id, saleId: null, registerId: register.id, userId: actor.user.id, approvedBy: approver.id, reason, kind: 'refund', exchangeSaleId: null, total, taxTotal, previousHash, hash, createdAt })
      await refund.save()
      await trx.insertQuery().table('refund_items').multiInsert(
        lines.map((l, i) => ({ refund_id: refund.id, sale_item_id: null, product_id: l.product.id, quantity: l.quantity, amount: amounts[i].amount, tax_amount: amounts[i].tax, restock: l.restock }))
      )
      await trx.insertQuery().table('refund_payments').multiInsert(payments.map((p) => ({ refund_id: refund.id, method: p.method, amount: p.amount })))
      const productIds = await returnToStock(trx, { storeId: actor.store.id, userId: actor.user.id, saleId: null, reason: 'refund', note: `refund ${refund.id} (no receipt)`, at: createdAt }, lines.filter((l) => l.restock).map((l) => ({ productId: l.product.id, quantity: l.quantity })))
      await trx.from('registers').where('id', register.id).update({ last_sale_hash: hash })
      await recordAudit(
        { action: 'refund_without_receipt', storeId: actor.store.id, userId: actor.user.id, subjectType: 'refund', subjectId: refund.id, data: { total, reason, method, approvedBy: approver.id }, ip: actor.ip },
        trx
      )
      return { refund, restockedProductIds: productIds }
    })
    this.publishRefunded(plan)
    return plan.refund
  }

  /** Voids a completed sale: a manager's action, the same business day; the sale stays, marked voided */
  async voidSale(actor: Actor, saleId: number, reasonInput: string): Promise<Sale> {
    if (!actor.user.isManager) {
      throw new DomainError('Only a manager can void a completed sale', { status: 403, code: 'manager_required' })
    }
    const reason = this.#reason(reasonInput)
    const { sale, productIds } = await inTransaction(async (trx) => {
      const { sale, register } = await this.#lockCompletedSale(trx, actor, saleId, null)
      if (sale.refundedTotal > 0 || (await trx.from('refunds').where('sale_id', sale.id).first())) {
        throw new DomainError('This sale has refunds: return the remaining lines instead of voiding it', { status: 409, code: 'sale_has_refunds' })
      }
      const shiftOpen = sale.shiftId ? Boolean(await trx.from('shifts').where({ id: sale.shiftId, status: 'open' }).first()) : null
      if (!voidWindowOpen(sale, actor.store.timeZone, shiftOpen)) {
        throw new DomainError('A sale can only be voided during its shift (without a shift, on the day it was made); make a refund instead', {
          status: 409,
          code: 'void_window_closed',
        })
      }
      const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('id')
      const voidedAt = DateTime.utc().startOf('second')
      const productIds = await returnToStock(trx, { storeId: sale.storeId, userId: actor.user.id, saleId: sale.id, reason: 'void', at: voidedAt }, items)
      sale.useTransaction(trx)
      sale.merge({ status: 'voided', voidedAt, voidedBy: actor.user.id, voidReason: reason, voidPreviousHash: register.last_sale_hash ?? null })
      sale.voidHash = voidHash(sale.voidPreviousHash, {
        storeId: sale.storeId,
        registerId: sale.registerId,
        saleId: sale.id,
        saleHash: sale.hash ?? '',
        voidedAt: voidedAt.toISO()!,
        voidedBy: actor.user.id,
        reason,
      })
      await sale.save()
      await trx.from('registers').where('id', register.id).update({ last_sale_hash: sale.voidHash })
      await recordAudit(
        { action: 'sale_voided', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { number: sale.number, total: sale.total, reason }, ip: actor.ip },
        trx
      )
      return { sale, productIds }
    })
    if (productIds.length) publish('stock:changed', { storeId: sale.storeId, reason: 'void', productIds })
    return sale
  }

  // ---------------------------------------------------------------- internals

  #reason(input: string | null | undefined) {
    const reason = (input ?? '').trim()
    if (!reason) throw new DomainError('Give a reason', { code: 'reason_required', field: 'reason' })
    return reason.slice(0, 255)
  }

  #overReturn(item: SaleItem, left: number, index: number) {
    return new DomainError(
      left > 0 ? `Only ${left} of "${item.name}" can still be returned` : `"${item.name}" has already been returned in full`,
      { status: 409, code: 'over_return', field: `items.${index}.quantity` }
    )
  }

  /**
   * Locks the register (whose chain takes the record), then the sale. The sale is read once
   * without a lock only to learn its register.
   */
  async #lockCompletedSale(trx: TransactionClientContract, actor: Actor, saleId: number, registerId: number | null) {
    const found = await trx.from('sales').where({ id: saleId, store_id: actor.store.id }).select('register_id').first()
    if (!found) throw notFound('The sale')
    const register = await trx
      .from('registers')
      .where({ id: registerId ?? found.register_id, store_id: actor.store.id })
      .forUpdate()
      .select('id', 'last_sale_hash')
      .first()
    if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
    const sale = await Sale.query({ client: trx }).where('id', saleId).forUpdate().firstOrFail()
    if (sale.status !== 'completed') {
      const what = sale.status === 'voided' ? 'was voided' : `is ${sale.status}, not completed`
      throw new DomainError(`This sale ${what}: it cannot be returned or voided`, { status: 409, code: `sale_${sale.status}` })
    }
    sale.refundedTotal = Number(sale.refundedTotal ?? 0)
    return { sale, register }
  }

  /**
   * Card money taken through a payment gateway goes back through it, before the refund is
   * written: a refused or unreachable refund writes nothing. The gateway key is derived from the
   * sale's refunds so far, so a retried refund (a deadlock retry, a lost answer) never pays twice.
   */
  async #refundThroughGateways(trx: TransactionClientContract, actor: Actor, sale: Sale, tenders: { method: string; amount: number }[]) {
    for (const tender of tenders) {
      const taken = await Payment.query({ client: trx })
        .where({ sale_id: sale.id, method: tender.method, status: 'approved' })
        .whereNotNull('gateway')
        .orderBy('id')
      let left = tender.amount
      for (const payment of taken) {
        if (left <= 0) break
        const amount = Math.min(left, payment.amount)
        const key = `refund-${payment.id}-${sale.refundedTotal}-${amount}`
        let status
        try {
          status = await new GatewayPaymentService().refundThroughGateway(payment, amount, actor.store.currency, key)
        } catch (error) {
          if (error instanceof DomainError) throw error
          throw new DomainError(`The card refund could not reach the payment gateway (${(error as Error).message}); nothing was refunded`, { status: 502, code: 'gateway_unreachable', field: 'method' })
        }
        if (status.state !== 'approved') {
          throw new DomainError(`The card refund was not approved: ${status.message ?? status.state}; nothing was refunded`, { status: 409, code: 'gateway_refund_declined', field: 'method' })
        }
        left -= amount
      }
    }
  }

  /**
   * Where the money goes. By default back to the tenders the sale was paid with (card first,
   * then cash from the drawer), each up to what it paid less what earlier refunds gave back.
   * Another tender needs a manager.
   */
  async #tenders(trx: TransactionClientContract, actor: Actor, sale: Sale, total: number, request: RefundRequest) {
    const paid = await trx.from('payments').where({ sale_id: sale.id, status: 'approved' }).groupBy('method').select('method').sum('amount as amount')
    const refunded = await trx
      .from('refund_payments')
      .join('refunds', 'refunds.id', 'refund_payments.refund_id')
      .where('refunds.sale_id', sale.id)
      .forUpdate()
      .groupBy('refund_payments.method')
      .select('refund_payments.method as method')
      .sum('refund_payments.amount as amount')
    const back = new Map(refunded.map((r: any) => [r.method, Number(r.amount)]))
    // A sale paid in part by an exchange credit gives that part back in cash from the drawer
    const byMethod = new Map<string, number>()
    for (const p of paid as any[]) {
      const method = p.method === 'exchange' ? 'cash' : String(p.method)
      byMethod.set(method, (byMethod.get(method) ?? 0) + Number(p.amount))
    }
    const available = [...byMethod]
      .map(([method, amount]) => ({ method, left: amount - (back.get(method) ?? 0) }))
      .sort((a, b) => Number(paymentMethod(a.method)?.isCash ?? false) - Number(paymentMethod(b.method)?.isCash ?? false))

    const allocation: { method: string; amount: number }[] = []
    let remaining = total
    for (const tender of available) {
      const amount = Math.min(remaining, Math.max(0, tender.left))
      if (amount > 0) allocation.push({ method: tender.method, amount })
      remaining -= amount
    }
    if (remaining > 0) {
      const first = allocation[0] ?? { method: available[0]?.method ?? 'cash', amount: 0 }
      if (!allocation.length) allocation.push(first)
      first.amount += remaining
    }

    const result: Tenders = allocation
    if (!request.method || allocation.every((a) => a.method === request.method)) return result

    const approver = actor.user.isManager ? actor.user : request.approver
    if (!approver?.isManager) {
      throw new DomainError('A manager must approve a refund to another method: enter a manager\u2019s PIN', {
        status: 403,
        code: 'manager_required',
        field: 'manager_pin',
      })
    }
    const other = [{ method: request.method, amount: total }] as typeof result
    other.approvedBy = approver.id
    return other
  }
}
