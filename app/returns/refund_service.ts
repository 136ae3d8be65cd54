import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Refund from '#models/refund'
import Payment from '#models/payment'
import GatewayPaymentService from '#sales/gateway_payment_service'
import type User from '#models/user'
import CheckoutService from '#sales/checkout_service'
import type { NewSale } from '#sales/new_sale'
import type { LineRequest, PaymentRequest } from '#sales/checkout_rules'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { affectedRows, inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { refundHash } from '#core/sale_chain'
import { givePointsBack, pointsBack, refuseRefundMethod } from '#returns/refund_points'
import { returnToStock } from '#returns/stock_return'
import { runStatements } from '#platform/sql_batch'
import { refundSummaryStatements } from '#sales/sale_summaries'
import { lockCompletedSale, publishRefunded, returnReason, type RefundPlan } from '#returns/returned_sale'
import { inSmallestCoin, refundTenders, type Tenders } from '#returns/refund_tenders'
import { cashOf, checkDrawerPaysOut } from '#returns/refund_drawer'

/*
| Returns of completed sales (voids: void_service.ts). A refund gives back what the customer actually paid
| for the returned units (their share of the line total, after discounts and with tax), puts
| the units back in stock or in the damaged bin, and is a link of its register's hash chain.
| Every refund and void takes its locks in one order: the sale row, the register row, the
| sale's lines, then products by id, then the customer (points) and the drawer's shift (a sale's
| completion takes register, then products). A points payment takes its customer before the
| register: the two on one register and customer at once can deadlock, and the retry answers it.
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

export interface ExchangeRequest extends RefundRequest {
  /** The new lines the customer takes */
  newLines: LineRequest[]
  /** Pays what the returned goods do not cover */
  payment?: PaymentRequest | null
}

/** Given the returned goods' value and the register, makes the new sale; answers how much of the credit it used, and when it was completed */
type ExchangeMaker = (credit: number, registerId: number, customerId: number | null) => Promise<{ used: number; saleId: number; completedAt: DateTime }>

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

export default class RefundService {
  async refund(actor: Actor, saleId: number, request: RefundRequest): Promise<Refund> {
    const plan = await inTransaction((trx) => this.refundWithin(trx, actor, saleId, request))
    publishRefunded(plan)
    return plan.refund
  }

  /** The refund, inside the caller's transaction (an exchange publishes its events after its own commit) */
  async refundWithin(trx: TransactionClientContract, actor: Actor, saleId: number, request: RefundRequest, options: { exchange?: ExchangeMaker } = {}): Promise<RefundPlan> {
    const reason = returnReason(request.reason)
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
    const { sale, register } = await lockCompletedSale(trx, actor, saleId, request.registerId ?? null)
    if (request.method) {
      // The sale's own tenders take the money back as by default (a gateway's card through its
      // gateway); another method must be one that can pay out
      const paidIn = await trx.from('payments').where({ sale_id: sale.id, status: 'approved' }).distinct('method')
      if (!paidIn.some((row) => row.method === request.method)) refuseRefundMethod(request.method, sale.customerId)
    }
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
    const left = sale.paidTotal - sale.refundedTotal
    // The refund that returns the sale's last units pays back all that is left of what was paid:
    // earlier refunds' cash was paid in the smallest coin, a little more or less than their share
    const returning = new Map(lines.map((line) => [line.item.id, line.quantity]))
    const last = items.every((item) => item.refundedQuantity + (returning.get(item.id) ?? 0) >= item.quantity)
    const owed = Math.max(0, last ? left : Math.min(linesTotal, left))

    // An exchange moves the credit to the new sale; what it does not use goes back as a refund
    let exchangeSaleId: number | null = null
    let exchangedAt: DateTime | null = null
    let payments: Tenders
    if (options.exchange) {
      const made = await options.exchange(owed, register.id, sale.customerId ?? null)
      exchangeSaleId = made.saleId
      exchangedAt = made.completedAt
      const rest = owed - made.used
      payments = rest > 0 ? await refundTenders(trx, actor, sale, rest, request, last) : []
      if (made.used > 0) payments.unshift({ method: 'exchange', amount: made.used })
    } else {
      payments = await refundTenders(trx, actor, sale, owed, request, last)
    }
    // Points go back only to a customer who can still spend them; else that part is paid in cash
    // (in the smallest coin, as the rest of the cash)
    const back = await pointsBack(trx, sale, payments, request.method ?? null)
    payments = inSmallestCoin(payments, actor.store.cashRounding, last)
    // What is paid back: the cash in the smallest coin may be a little more or less than owed
    const total = payments.reduce((sum, tender) => sum + tender.amount, 0)
    await checkDrawerPaysOut(trx, actor, register.open_shift_id ?? null, cashOf(payments))
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

    // An exchange is one act: its return takes its new sale's moment. Its own clock read, a moment
    // later, put the return of an exchange made at 23:59:59 on the next store day, apart from its sale
    const createdAt = exchangedAt ?? DateTime.utc().startOf('second')
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
      shiftId: register.open_shift_id ?? null,
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
    // None when the cash owed rounds to no coin (2 cents where the smallest is 5)
    if (payments.length) await trx.insertQuery().table('refund_payments').multiInsert(payments.map((p) => ({ refund_id: refund.id, method: p.method, amount: p.amount })))
    await givePointsBack(trx, back, sale, refund.id, payments)

    // Restocked units go back on the shelf; damaged ones are only recorded on the refund line
    const productIds = await returnToStock(trx, { storeId: sale.storeId, userId: actor.user.id, saleId: sale.id, reason: 'refund', note: `refund ${refund.id}`, at: createdAt }, lines.filter((l) => l.restock).map((l) => ({ productId: l.item.productId, quantity: l.quantity })))

    await trx.from('sales').where('id', sale.id).increment('refunded_total', total)
    await runStatements(
      trx,
      await refundSummaryStatements(trx, actor.store.timeZone, { storeId: sale.storeId, registerId: register.id, createdAt, total, taxTotal, lines: lines.map((l) => ({ productId: l.item.productId, quantity: l.quantity, amount: l.amount, taxAmount: l.taxAmount })) })
    )
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
    let newSale: NewSale | null = null
    const plan = await inTransaction(async (trx) => {
      newSale = null
      return this.refundWithin(trx, actor, saleId, request, {
        // The new sale is the same customer's: it earns their points, and points pay its
        // difference. An erased customer is not named again (the sale stays anonymous)
        exchange: async (credit, registerId, customerId) => {
          const customer = customerId ? await trx.from('customers').where('id', customerId).select('erased_at').first() : null
          const { sale } = await checkout.createSale(actor, registerId, {
            lines: request.newLines,
            customerId: customer && !customer.erased_at ? customerId : null,
            payment: request.payment ?? null,
            credit: { method: 'exchange', amount: credit },
            client: trx,
          })
          newSale = sale
          return { used: Math.min(credit, sale.total), saleId: sale.id, completedAt: sale.completedAt! }
        },
      })
    })
    // The new sale's sale:completed went out with the commit (CheckoutService.createSale)
    publishRefunded(plan)
    return { refund: plan.refund, sale: newSale! as NewSale }
  }

  // ---------------------------------------------------------------- internals

  #overReturn(item: SaleItem, left: number, index: number) {
    return new DomainError(
      left > 0 ? `Only ${left} of "${item.name}" can still be returned` : `"${item.name}" has already been returned in full`,
      { status: 409, code: 'over_return', field: `items.${index}.quantity` }
    )
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
}
