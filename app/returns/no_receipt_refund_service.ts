import { DateTime } from 'luxon'
import Refund from '#models/refund'
import Product from '#models/product'
import type User from '#models/user'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { refundHash } from '#core/sale_chain'
import { priceCart } from '#core/pricing'
import { MAX_QUANTITY, roundToIncrement } from '#core/money'
import { refuseRefundMethod } from '#returns/refund_points'
import { taxCalculatorFor } from '#sales/flat_rate_tax'
import { returnToStock } from '#returns/stock_return'
import { runStatements } from '#platform/sql_batch'
import { refundSummaryStatements } from '#sales/sale_summaries'
import { publishRefunded, returnReason } from '#returns/returned_sale'
import { refuseLeasedElsewhere } from '#sales/register_lease_service'
import { cashOf, checkDrawerPaysOut } from '#returns/refund_drawer'

/*
| A return without a receipt: not linked to any sale, a manager's decision, refunded at the
| product's current price, a link of the register's hash chain like any refund.
*/

export default class NoReceiptRefundService {
  /**
   * A return without a receipt: a manager's decision, refunded at the product's current price
   * (with tax), to cash unless another tender is chosen. Not linked to any sale.
   */
  async refund(
    actor: Actor,
    request: { lines: { productId: number; quantity: number; restock: boolean }[]; reason: string; method?: string | null; registerId: number; approver?: User | null }
  ): Promise<Refund> {
    const reason = returnReason(request.reason)
    const approver = actor.user.isManager ? actor.user : request.approver
    if (!approver?.isManager) {
      throw new DomainError('A return without a receipt needs a manager: enter a manager’s PIN', { status: 403, code: 'manager_required', field: 'manager_pin' })
    }
    if (!request.lines.length) throw new DomainError('Choose at least one product to return', { code: 'no_lines', field: 'items' })
    const method = request.method ?? 'cash'
    refuseRefundMethod(method, null)
    const seen = new Set<number>()
    request.lines.forEach((line, index) => {
      if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
        throw new DomainError(`The quantity must be a whole number from 1 to ${MAX_QUANTITY}`, { code: 'invalid_quantity', field: `items.${index}.quantity` })
      }
      // One line a product, as a refund with a receipt has one a sale's line
      if (seen.has(line.productId)) throw new DomainError('This product is listed twice: give its whole quantity on one line', { code: 'duplicate_line', field: `items.${index}.product_id` })
      seen.add(line.productId)
    })

    const plan = await inTransaction(async (trx) => {
      const register = await trx.from('registers').where({ id: request.registerId, store_id: actor.store.id }).forUpdate().select('id', 'last_sale_hash', 'lease_device_id', 'open_shift_id').first()
      if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
      await refuseLeasedElsewhere(trx, register, actor.deviceId, 'return')
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
      // Cash in the store's smallest coin, as a sale's cash is taken
      const total = method === 'cash' ? roundToIncrement(priced.total, actor.store.cashRounding) : priced.total
      const taxTotal = priced.taxTotal
      const createdAt = DateTime.utc().startOf('second')
      const previousHash = register.last_sale_hash ?? null
      const payments = [{ method, amount: total }]
      await checkDrawerPaysOut(trx, actor, register.open_shift_id ?? null, cashOf(payments))
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
      refund.fill({ storeId: actor.store.id, saleId: null, registerId: register.id, shiftId: register.open_shift_id ?? null, userId: actor.user.id, approvedBy: approver.id, reason, kind: 'refund', exchangeSaleId: null, total, taxTotal, previousHash, hash, createdAt })
      await refund.save()
      await trx.insertQuery().table('refund_items').multiInsert(
        lines.map((l, i) => ({ refund_id: refund.id, sale_item_id: null, product_id: l.product.id, quantity: l.quantity, amount: amounts[i].amount, tax_amount: amounts[i].tax, restock: l.restock }))
      )
      await trx.insertQuery().table('refund_payments').multiInsert(payments.map((p) => ({ refund_id: refund.id, method: p.method, amount: p.amount })))
      const productIds = await returnToStock(trx, { storeId: actor.store.id, userId: actor.user.id, saleId: null, reason: 'refund', note: `refund ${refund.id} (no receipt)`, at: createdAt }, lines.filter((l) => l.restock).map((l) => ({ productId: l.product.id, quantity: l.quantity })))
      await trx.from('registers').where('id', register.id).update({ last_sale_hash: hash })
      await runStatements(
        trx,
        await refundSummaryStatements(trx, actor.store.timeZone, { storeId: actor.store.id, registerId: register.id, createdAt, total, taxTotal, lines: lines.map((l, i) => ({ productId: l.product.id, quantity: l.quantity, amount: amounts[i].amount, taxAmount: amounts[i].tax })) })
      )
      await recordAudit(
        { action: 'refund_without_receipt', storeId: actor.store.id, userId: actor.user.id, subjectType: 'refund', subjectId: refund.id, data: { total, reason, method, approvedBy: approver.id }, ip: actor.ip },
        trx
      )
      return { refund, restockedProductIds: productIds }
    })
    publishRefunded(plan)
    return plan.refund
  }
}
