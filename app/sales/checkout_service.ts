import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import { insertedId, runStatements, type InsertedId } from '#platform/sql_batch'
import { NewPayment, NewSale, newSaleInsert } from '#sales/new_sale'
import { newCartLine, type CartLine } from '#core/cart_lines'
import { within, type RegisterRow, registerRow, customerStatement, checkCustomer, type LineRequest, type PaymentRequest, priceSale, checkQuantity, checkDiscount, publishCompleted } from '#sales/checkout_rules'
import { completeSale, lineStatements, quantitiesByProduct, stockStatement, takeLineIds, registerStatement, saleSubject, type SaleAudit } from '#sales/sale_completion'
import { auditStatement } from '#platform/audit_service'
import { buildPayment, ensurePaidInFull, paysWithPoints, redeemPoints } from '#sales/payment_service'
import { paymentMethod } from '#sales/payment_methods'
import { cashAmountDue } from '#core/pricing'
import { approveDiscount, discountedSale, discountsBefore } from '#sales/discount_limit'
import { formatMoney } from '#core/money'

/*
| The one-call sale: the API's POST /api/sales and an exchange's new sale, with lines and
| (optionally) a payment in full or the returned goods' credit, all in one transaction. The
| till's cart is cart_service.ts; payments on an open sale, payment_service.ts.
*/

export default class CheckoutService {
  /**
   * The API's one-call sale: lines, and optionally a payment in full that completes it,
   * all in one transaction. Without a payment the sale stays open for POST /api/payments.
   */
  async createSale(
    actor: Actor,
    /** The store's register; null for its first one */
    registerId: number | null,
    request: {
      lines: LineRequest[]
      customerId?: number | null
      payment?: PaymentRequest | null
      /** An exchange: the returned goods' value, paid first (refund_service.ts) */
      credit?: { method: string; amount: number } | null
      /** Run inside the caller's transaction (an exchange, an idempotent API write); sale:completed goes out when it commits */
      client?: TransactionClientContract | null
      /**
       * The caller runs nothing after this in the transaction: a sale paid here and now is then
       * written with the COMMIT, one round trip fewer, and its ids are set once that has answered
       * (`savedAs` names the sale's INSERT for a statement that goes with it)
       */
      lastInTransaction?: boolean
    }
  ): Promise<{ sale: NewSale; items: CartLine[]; payment: NewPayment | null; savedAs: InsertedId | null }> {
    for (const line of request.lines) {
      checkQuantity(line.quantity)
      checkDiscount(line.discountType ?? null, line.discountValue ?? 0, 'items.discount')
    }
    const productIds = [...new Set(request.lines.map((l) => l.productId))]
    return within(request.client, async (trx) => {
      // One round trip: the register (locked when the sale completes: numbers and the hash chain
      // move on under that lock, taken before any product row so concurrent sales queue instead
      // of deadlocking), the lines' products, the customer, and for a sale paid here and now
      // the stock update (checked once the products are)
      const completes = !!(request.payment || request.credit)
      const movesStockNow = !!request.payment && !request.credit
      const perProduct = quantitiesByProduct(request.lines)
      const [registerRead, productsRead, ...more] = await runStatements(trx, [
        registerStatement(trx, actor.store.id, registerId, completes),
        // By primary key only (the store is checked below): with store_id in the WHERE, SQLite
        // walks the store's index over every product instead of the five rows
        {
          sql: `SELECT id, store_id, name, sku, price, tax_class, active, archived_at FROM products WHERE id IN (${productIds.map(() => '?').join(', ')})`,
          bindings: productIds,
        },
        ...(request.customerId ? [customerStatement(actor.store.id, request.customerId)] : []),
        ...(movesStockNow ? [stockStatement(actor.store, perProduct)] : []),
      ])
      const customerRead = request.customerId ? more[0] : undefined
      const stockMoved = movesStockNow ? more.at(-1) : undefined
      const register = registerRow(registerRead.rows[0])
      if (request.customerId) checkCustomer(customerRead!.rows[0], () => new DomainError('This customer does not exist', { code: 'unknown_customer', field: 'customer_id' }))
      const byId = new Map(productsRead.rows.filter((p) => Number(p.store_id) === actor.store.id).map((p) => [Number(p.id), p]))
      const items = request.lines.map((line, index) => {
        const product = byId.get(line.productId)
        if (!product || !Number(product.active) || product.archived_at) {
          throw new DomainError(`Product ${line.productId} does not exist or is not for sale`, {
            code: 'unknown_product',
            field: `items.${index}.product_id`,
          })
        }
        // Plain data, as the till's cart lines (core/cart_lines.ts): the lines are only written and answered
        const item = newCartLine({
          saleId: 0,
          productId: line.productId,
          name: product.name,
          sku: product.sku,
          quantity: line.quantity,
          unitPrice: Number(product.price),
          taxClass: product.tax_class,
          position: index + 1,
        })
        item.discountType = line.discountType ?? null
        item.discountValue = line.discountValue ?? 0
        return item
      })

      const sale = new NewSale({ storeId: actor.store.id, registerId: register.id, userId: actor.user.id, customerId: request.customerId ?? null, channel: 'api' })
      await priceSale(actor.store, sale, items, trx)
      checkDiscountLimit(actor, sale, items)
      const audits = lineDiscounts(actor, items)

      let payment: NewPayment | null = null
      let savedAs: InsertedId | null = null
      try {
        if (request.credit) {
          payment = await completeWithCredit(actor, sale, items, request.credit, request.payment ?? null, register, trx, audits)
        } else if (request.payment) {
          const paid = buildPayment(actor, sale, request.payment)
          payment = paid
          sale.paidTotal = paid.amount
          sale.changeDue = paid.change
          ensurePaidInFull(sale, request.payment)
          // Points are redeemed after the sale's rows, naming its id: those are written at once
          const atCommit = !!request.lastInTransaction && !paysWithPoints(paid)
          const { saleInsert } = await completeSale(actor, sale, items, [paid], trx, paid, { register, stockMoved }, { atCommit, audits })
          if (atCommit && saleInsert) savedAs = insertedId(saleInsert)
          await redeemPoints(sale, paid, trx)
        } else {
          const [inserted, , linesRead] = await runStatements(trx, [
            newSaleInsert(sale),
            ...lineStatements(insertedId(0), items),
            ...(audits.length ? [auditStatement(...saleSubject(audits, insertedId(0)))] : []),
          ])
          sale.id = inserted.insertId
          for (const item of items) item.saleId = sale.id
          takeLineIds(items, linesRead)
        }
      } catch (error) {
        throw atPaymentMethod(error)
      }
      // A sale paid in one go names its one tender, so no listener reads the payments back
      const tenders = payment && !request.credit ? [{ method: payment.method, amount: payment.amount }] : undefined
      if (sale.status === 'completed') trx.after('commit', () => publishCompleted(sale, productIds, tenders))
      // The caller answers from these instead of reading the sale back
      return { sale, items, payment, savedAs }
    })
  }
}

/**
 * This sale's tender is the request's `payment_method` (the API's sale and exchange, the till's
 * exchange form): a refusal of it is at that field, not at the `method` of POST /api/payments
 * (the payment's rules name), which in an exchange is the refund's tender
 */
function atPaymentMethod(error: unknown) {
  if (error instanceof DomainError && error.field === 'method') error.field = 'payment_method'
  return error
}

/** An exchange's new sale: the credit of the returned goods first, then a payment for what is left */
async function completeWithCredit(
  actor: Actor,
  sale: NewSale,
  items: CartLine[],
  credit: { method: string; amount: number },
  request: PaymentRequest | null,
  register: RegisterRow,
  trx: TransactionClientContract,
  audits: SaleAudit[]
) {
  const first = new NewPayment({ storeId: actor.store.id, userId: actor.user.id, method: credit.method, amount: Math.min(credit.amount, sale.total), tendered: null, change: 0, reference: null, status: 'approved' })
  sale.paidTotal = first.amount
  sale.changeDue = 0
  let payment: NewPayment | null = null
  if (sale.balanceDue > 0) {
    if (!request) {
      throw new DomainError('The returned goods do not cover the new items: choose a payment method for the difference', { code: 'tendered_too_low', field: 'payment_method' })
    }
    const toPay = paymentMethod(request.method)?.isCash ? cashAmountDue(sale.balanceDue, actor.store.cashRounding) : sale.balanceDue
    payment = buildPayment(actor, sale, request)
    sale.paidTotal += payment.amount
    sale.changeDue = payment.change
    // Only cash handed over short leaves something to pay. The one-call sale's advice ("leave out
    // payment_method and add payments") named an API field at the till, and an exchange has no later payments
    if (sale.balanceDue > 0) {
      const money = (amount: number) => formatMoney(amount, actor.store.currency)
      throw new DomainError(`The cash tendered (${money(payment.tendered ?? payment.amount)}) is less than the ${money(toPay)} the customer pays for the exchange`, {
        code: 'tendered_too_low',
        field: 'tendered',
      })
    }
  }
  await completeSale(actor, sale, items, payment ? [first, payment] : [first], trx, payment ?? first, { register }, { audits })
  if (payment) await redeemPoints(sale, payment, trx)
  return payment ?? first
}

/** Discounts past the store's limit need a manager's token (the API has no PIN to give: discount_limit.ts) */
function checkDiscountLimit(actor: Actor, sale: NewSale, items: CartLine[]) {
  const discounted = items.findIndex((item) => item.discountType && item.discountValue > 0)
  const field = discounted < 0 ? 'items' : `items.${discounted}.${items[discounted].discountType === 'percent' ? 'discount_percent' : 'discount'}`
  approveDiscount(actor.store.discountLimit, discountedSale(sale, items), discountsBefore(), actor.user.isManager ? actor.user : null, field, 'Send it with a manager\u2019s access token, or lower the discount.')
}

/**
 * The lines' discounts, audited as the till audits its own (line_discount, cart_service.ts), in
 * the sale's transaction; `line` is the line's place in the request (its id is not known yet)
 */
function lineDiscounts(actor: Actor, items: CartLine[]): SaleAudit[] {
  return items
    .filter((item) => item.discountType && item.discountValue > 0)
    .map((item) => ({ action: 'line_discount', storeId: actor.store.id, userId: actor.user.id, data: { line: item.position, productId: item.productId, type: item.discountType, value: item.discountValue }, ip: actor.ip }))
}
