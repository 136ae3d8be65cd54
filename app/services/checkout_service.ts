import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import type { DiscountType } from '#core/tax'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import Product from '#models/product'
import Store from '#models/store'
import type User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import type { Actor } from '#services/actor'
import { cashAmountDue, priceCart } from '#core/pricing'
import { taxCalculatorFor } from '#services/flat_rate_tax'
import { formatMoney } from '#core/money'
import { auditStatement, recordAudit } from '#services/audit_service'
import { saleHash } from '#core/sale_chain'
import { inTransaction } from '#services/db_transaction'
import {
  afterWrite,
  insertedId,
  insertStatement,
  markInserted,
  modelInsert,
  modelWrite,
  runStatements,
  type InsertedId,
  type Statement,
  type StatementResult,
} from '#services/sql_batch'
import { paymentMethod, LOYALTY_METHOD } from '#services/payment_methods'
import { pluginRegistry } from '#plugins/registry'
import { codeLookup, productFound } from '#services/catalog_service'
import { dbTimestamp } from '#services/db_time'
import { publish } from '#events/domain_events'
import { CART_LINE_COLUMNS, cartLineFromRow, cartLineWrite, keepCartLines, newSaleItemRow, saleItemRow } from '#services/cart_line_rows'
import { lineAmounts, newCartLine, pricingInputs, quantityInCart, type CartLine } from '#core/cart_lines'

/*
| The checkout: a sale is rung up as an open sale (the cart lives on the server), paid with
| one or more payments, and completed in one transaction that takes the register's next
| number, moves the stock, links the hash chain and writes the audit entry.
*/

export const MAX_QUANTITY = 9999

/** Runs work in the caller's transaction when given one, else in its own */
function within<T>(client: TransactionClientContract | null | undefined, work: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
  return client ? work(client) : inTransaction(work)
}

/** The register columns a completing sale reads under the register's row lock */
interface RegisterRow {
  id: number
  last_sale_number: number
  last_sale_hash: string | null
  open_shift_id: number | null
}

function registerRow(row: any): RegisterRow {
  if (!row) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
  return { id: Number(row.id), last_sale_number: Number(row.last_sale_number), last_sale_hash: row.last_sale_hash ?? null, open_shift_id: row.open_shift_id ?? null }
}

function customerStatement(storeId: number, customerId: number): Statement {
  return { sql: 'SELECT erased_at FROM customers WHERE id = ? AND store_id = ?', bindings: [customerId, storeId] }
}

/** A customer a sale may be for: the store's (else the caller's error), and not erased */
function checkCustomer(row: { erased_at: unknown } | undefined, missing: () => DomainError) {
  if (!row) throw missing()
  if (row.erased_at) throw new DomainError('This customer was erased and cannot be added to a sale', { status: 409, code: 'customer_erased', field: 'customer_id' })
}

export interface LineRequest {
  productId: number
  quantity: number
  discountType?: DiscountType | null
  discountValue?: number
}

export interface PaymentRequest {
  method: string
  /** What the sale is credited; for cash defaults to what is due (up to what was tendered) */
  amount?: number | null
  tendered?: number | null
  reference?: string | null
}

export interface PaymentOutcome {
  sale: Sale
  payment: Payment
  completed: boolean
}

export default class CheckoutService {
  // ---------------------------------------------------------------- the till's cart

  /** The till's open sale on a register (`columns` of it), as a statement for a caller that reads it with others */
  openCartStatement(registerId: number, columns = '*'): Statement {
    return { sql: `SELECT ${columns} FROM sales WHERE register_id = ? AND status = 'open' AND channel = 'till' ORDER BY id DESC LIMIT 1`, bindings: [registerId] }
  }

  /** The register's open sale on the till (`read`: openCartStatement's result), created when there is none */
  async currentCart(actor: Actor, registerId: number, read?: StatementResult): Promise<Sale> {
    const found = read ?? (await runStatements(db.connection(), [this.openCartStatement(registerId)]))[0]
    if (found.rows[0]) return Sale.$createFromAdapterResult(found.rows[0])!
    return this.#newCart(actor, registerId)
  }

  /**
   * The id of the register's open sale (`read`: openCartStatement's result for its id), created
   * when there is none: a cart action reads the sale itself, locked, in its own transaction
   */
  async currentCartId(actor: Actor, registerId: number, read: StatementResult): Promise<number> {
    const found = read.rows[0]
    return found ? Number(found.id) : (await this.#newCart(actor, registerId)).id
  }

  #newCart(actor: Actor, registerId: number) {
    return Sale.create({
      storeId: actor.store.id,
      registerId,
      userId: actor.user.id,
      status: 'open',
      channel: 'till',
    })
  }

  async addProduct(actor: Actor, saleId: number, productId: number, quantity = 1) {
    const read = { sql: 'SELECT * FROM products WHERE id = ? AND store_id = ?', bindings: [productId, actor.store.id] }
    const sale = await this.#addProduct(actor, saleId, quantity, [read], ([found]) => (found.rows[0] ? Product.$createFromAdapterResult(found.rows[0])! : null))
    if (!sale) throw notFound('The product', 'product_id')
    return sale
  }

  /** A scanned code (a barcode, else a SKU): one more of its product; null when no product has it */
  async addByCode(actor: Actor, saleId: number, code: string) {
    const lookup = codeLookup(actor.store.id, code)
    return lookup ? this.#addProduct(actor, saleId, 1, lookup, productFound) : null
  }

  /** Adds the product that `pick` finds in the reads, in the cart's transaction; null when none */
  async #addProduct(actor: Actor, saleId: number, quantity: number, reads: Statement[], pick: (reads: StatementResult[]) => Product | null) {
    this.#checkQuantity(quantity)
    const noProduct = new Error('no product')
    try {
      return await this.#mutateOpenSale(
        actor,
        saleId,
        async (sale, items, _trx, found) => {
          const picked = pick(found)
          if (!picked) throw noProduct
          const product = this.#sellable(picked)
          const existing = items.find((i) => i.productId === product.id && !i.priceOverrideBy && !i.discountType)
          const newQuantity = (existing?.quantity ?? 0) + quantity
          this.#checkQuantity(newQuantity)
          this.#checkStock(actor.store, product, quantityInCart(items, product.id) + quantity)
          if (existing) {
            existing.quantity = newQuantity
            return
          }
          items.push(
            newCartLine({
              saleId: sale.id,
              productId: product.id,
              name: product.name,
              sku: product.sku,
              quantity,
              unitPrice: product.price,
              taxClass: product.taxClass,
              position: items.length ? Math.max(...items.map((i) => i.position)) + 1 : 1,
            })
          )
        },
        reads
      )
    } catch (error) {
      if (error === noProduct) return null
      throw error
    }
  }

  async setQuantity(actor: Actor, saleId: number, itemId: number, quantity: number) {
    if (quantity === 0) return this.removeItem(actor, saleId, itemId)
    this.#checkQuantity(quantity)
    return this.#mutateOpenSale(actor, saleId, async (_sale, items, trx) => {
      const item = this.#item(items, itemId)
      const product = await Product.query({ client: trx }).where('id', item.productId).firstOrFail()
      this.#checkStock(actor.store, product, quantityInCart(items, item.productId) - item.quantity + quantity)
      item.quantity = quantity
    })
  }

  async removeItem(actor: Actor, saleId: number, itemId: number) {
    return this.#mutateOpenSale(actor, saleId, async (_sale, items, trx) => {
      const item = this.#item(items, itemId)
      await runStatements(trx, [{ sql: 'DELETE FROM sale_items WHERE id = ?', bindings: [item.id] }])
      items.splice(items.indexOf(item), 1)
    })
  }

  async setLineDiscount(actor: Actor, saleId: number, itemId: number, type: DiscountType | null, value: number) {
    this.#checkDiscount(type, value, 'discount_value')
    return this.#mutateOpenSale(actor, saleId, async (sale, items, trx) => {
      const item = this.#item(items, itemId)
      item.discountType = type && value > 0 ? type : null
      item.discountValue = item.discountType ? value : 0
      await recordAudit(
        { action: 'line_discount', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { itemId, type, value }, ip: actor.ip },
        trx
      )
    })
  }

  async setCartDiscount(actor: Actor, saleId: number, type: DiscountType | null, value: number) {
    this.#checkDiscount(type, value, 'discount_value')
    return this.#mutateOpenSale(actor, saleId, async (sale, _items, trx) => {
      sale.cartDiscountType = type && value > 0 ? type : null
      sale.cartDiscountValue = sale.cartDiscountType ? value : 0
      await recordAudit(
        { action: 'cart_discount', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { type, value }, ip: actor.ip },
        trx
      )
    })
  }

  /** A new unit price for a line, approved by a manager (who may be the actor) */
  async overridePrice(actor: Actor, saleId: number, itemId: number, unitPrice: number, approver: User) {
    if (!approver.isManager) {
      throw new DomainError('A manager must approve a price override', { status: 403, code: 'manager_required' })
    }
    if (!Number.isSafeInteger(unitPrice) || unitPrice < 0 || unitPrice > 100_000_000) {
      throw new DomainError('The price must be a whole number of cents from 0 to 1,000,000.00', {
        code: 'invalid_price',
        field: 'price',
      })
    }
    return this.#mutateOpenSale(actor, saleId, async (sale, items, trx) => {
      const item = this.#item(items, itemId)
      const before = item.unitPrice
      item.unitPrice = unitPrice
      item.priceOverrideBy = approver.id
      await recordAudit(
        {
          action: 'price_override',
          storeId: sale.storeId,
          userId: actor.user.id,
          subjectType: 'sale',
          subjectId: sale.id,
          data: { itemId, productId: item.productId, from: before, to: unitPrice, approvedBy: approver.id },
          ip: actor.ip,
        },
        trx
      )
    })
  }

  /** Abandons the cart: it stays in the database as a voided cart, never deleted */
  async voidCart(actor: Actor, saleId: number) {
    return inTransaction(async (trx) => {
      const sale = await this.#lockOpenSale(actor, saleId, trx)
      if (sale.paidTotal > 0) {
        throw new DomainError('Remove the payments before voiding this sale', { status: 409, code: 'sale_has_payments' })
      }
      if (await trx.from('payments').where({ sale_id: sale.id, status: 'pending' }).first()) throw pendingPaymentError()
      sale.status = 'voided'
      await sale.useTransaction(trx).save()
      await recordAudit(
        { action: 'cart_voided', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { total: sale.total }, ip: actor.ip },
        trx
      )
      return sale
    })
  }

  async park(actor: Actor, saleId: number, note: string | null) {
    return inTransaction(async (trx) => {
      const sale = await this.#lockOpenSale(actor, saleId, trx)
      const count = await trx.from('sale_items').where('sale_id', sale.id).count('* as n').first()
      if (!Number(count?.n)) {
        throw new DomainError('The cart is empty: there is nothing to park', { code: 'empty_cart' })
      }
      if (sale.paidTotal > 0) {
        throw new DomainError('A sale with payments cannot be parked', { status: 409, code: 'sale_has_payments' })
      }
      if (await trx.from('payments').where({ sale_id: sale.id, status: 'pending' }).first()) throw pendingPaymentError()
      sale.merge({ status: 'parked', parkedAt: DateTime.utc(), note: note?.slice(0, 255) || sale.note })
      await sale.useTransaction(trx).save()
      return sale
    })
  }

  /** Brings a parked sale back as the register's cart; a non-empty current cart is parked in its place */
  async resume(actor: Actor, parkedId: number, registerId: number) {
    return inTransaction(async (trx) => {
      const parked = await Sale.query({ client: trx })
        .where({ id: parkedId, store_id: actor.store.id, status: 'parked' })
        .forUpdate()
        .first()
      if (!parked) throw notFound('The parked sale')
      const current = await Sale.query({ client: trx })
        .where({ register_id: registerId, status: 'open', channel: 'till' })
        .forUpdate()
      for (const sale of current) {
        const lines = await trx.from('sale_items').where('sale_id', sale.id).count('* as n').first()
        sale.merge(Number(lines?.n) ? { status: 'parked', parkedAt: DateTime.utc() } : { status: 'voided' })
        await sale.useTransaction(trx).save()
      }
      parked.merge({ status: 'open', registerId, parkedAt: null })
      await parked.useTransaction(trx).save()
      return parked
    })
  }

  /** Attaches a customer of the store to the open sale, or detaches with null; prices may depend on who buys */
  async setCustomer(actor: Actor, saleId: number, customerId: number | null) {
    return this.#mutateOpenSale(actor, saleId, async (sale, _items, trx) => {
      if (customerId !== null) {
        const [read] = await runStatements(trx, [customerStatement(actor.store.id, customerId)])
        checkCustomer(read.rows[0], () => notFound('The customer', 'customer_id'))
      }
      sale.customerId = customerId
    })
  }

  // ---------------------------------------------------------------- payments and completion

  async addPayment(actor: Actor, saleId: number, request: PaymentRequest): Promise<PaymentOutcome> {
    let productIds: number[] = []
    const outcome = await inTransaction(async (trx) => {
      const sale = await this.#lockOpenSale(actor, saleId, trx)
      const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('position')
      if (!items.length) throw new DomainError('The sale has no items to pay for', { code: 'empty_cart' })
      productIds = items.map((i) => i.productId)
      // Taxes are worked out again with the calculator in force: a tax plugin that fails now refuses the payment
      await this.#price(actor.store, sale, items, trx)
      for (const item of items) if (item.$isDirty) await item.useTransaction(trx).save()
      return this.#pay(actor, sale, items, request, trx)
    })
    if (outcome.completed) this.#publishCompleted(outcome.sale, productIds)
    return outcome
  }

  /**
   * A payment its gateway approved: the pending row becomes approved and counts toward the
   * sale; the one that covers the balance completes it (see GatewayPaymentService).
   */
  async approveGatewayPayment(actor: Actor, saleId: number, paymentId: number, reference: string | null): Promise<PaymentOutcome> {
    let productIds: number[] = []
    const outcome = await inTransaction(async (trx) => {
      const sale = await this.#lockOpenSale(actor, saleId, trx)
      const payment = await Payment.query({ client: trx }).where({ id: paymentId, sale_id: sale.id, status: 'pending' }).forUpdate().first()
      if (!payment) throw notFound('The pending payment')
      const items = await SaleItem.query({ client: trx }).where('sale_id', sale.id).orderBy('position')
      productIds = items.map((i) => i.productId)
      await this.#price(actor.store, sale, items, trx)
      for (const item of items) if (item.$isDirty) await item.useTransaction(trx).save()
      payment.merge({ status: 'approved', reference: reference?.slice(0, 120) ?? payment.reference })
      await payment.useTransaction(trx).save()
      sale.paidTotal += payment.amount
      if (sale.balanceDue > 0) {
        await sale.useTransaction(trx).save()
        await recordAudit(
          { action: 'payment_taken', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { method: payment.method, amount: payment.amount, gateway: payment.gateway }, ip: actor.ip },
          trx
        )
        return { sale, payment, completed: false }
      }
      const approved = await Payment.query({ client: trx }).where({ sale_id: sale.id, status: 'approved' }).orderBy('id')
      await this.#complete(actor, sale, items, approved, trx, payment)
      return { sale, payment, completed: true }
    })
    if (outcome.completed) this.#publishCompleted(outcome.sale, productIds)
    return outcome
  }

  async removePayment(actor: Actor, saleId: number, paymentId: number) {
    return inTransaction(async (trx) => {
      const sale = await this.#lockOpenSale(actor, saleId, trx)
      const payment = await Payment.query({ client: trx }).where({ id: paymentId, sale_id: sale.id, status: 'approved' }).first()
      if (!payment) throw notFound('The payment')
      payment.status = 'cancelled'
      await payment.useTransaction(trx).save()
      sale.paidTotal -= payment.amount
      sale.roundingTotal = 0
      await sale.useTransaction(trx).save()
      await recordAudit(
        { action: 'payment_removed', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { paymentId, method: payment.method, amount: payment.amount }, ip: actor.ip },
        trx
      )
      return sale
    })
  }

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
    }
  ): Promise<{ sale: Sale; items: CartLine[]; payment: Payment | null }> {
    for (const line of request.lines) {
      this.#checkQuantity(line.quantity)
      this.#checkDiscount(line.discountType ?? null, line.discountValue ?? 0, 'items.discount')
    }
    const productIds = [...new Set(request.lines.map((l) => l.productId))]
    return within(request.client, async (trx) => {
      // One round trip: the register (locked when the sale completes: numbers and the hash chain
      // move on under that lock, taken before any product row so concurrent sales queue instead
      // of deadlocking), the lines' products, the customer, and for a sale paid here and now
      // the stock update (checked once the products are)
      const completes = !!(request.payment || request.credit)
      const movesStockNow = !!request.payment && !request.credit
      const perProduct = this.#quantitiesByProduct(request.lines)
      const [registerRead, productsRead, ...more] = await runStatements(trx, [
        this.#registerStatement(trx, actor.store.id, registerId, completes),
        // By primary key only (the store is checked below): with store_id in the WHERE, SQLite
        // walks the store's index over every product instead of the five rows
        {
          sql: `SELECT id, store_id, name, sku, price, tax_class, active, archived_at FROM products WHERE id IN (${productIds.map(() => '?').join(', ')})`,
          bindings: productIds,
        },
        ...(request.customerId ? [customerStatement(actor.store.id, request.customerId)] : []),
        ...(movesStockNow ? [this.#stockStatement(actor.store, perProduct)] : []),
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

      const sale = new Sale()
      sale.fill({
        storeId: actor.store.id,
        registerId: register.id,
        userId: actor.user.id,
        customerId: request.customerId ?? null,
        status: 'open',
        channel: 'api',
        cartDiscountValue: 0,
        paidTotal: 0,
        changeDue: 0,
      })
      await this.#price(actor.store, sale, items, trx)

      let payment: Payment | null = null
      if (request.credit) {
        payment = await this.#completeWithCredit(actor, sale, items, request.credit, request.payment ?? null, register, trx)
      } else if (request.payment) {
        payment = this.#buildPayment(actor, sale, request.payment)
        sale.paidTotal = payment.amount
        sale.changeDue = payment.change
        this.#ensurePaidInFull(sale, request.payment)
        await this.#complete(actor, sale, items, [payment], trx, payment, { register, stockMoved })
        await this.#redeemPoints(sale, payment, trx)
      } else {
        const [inserted, ...lineResults] = await runStatements(trx, [modelInsert(sale), ...this.#lineStatements(insertedId(0), items)])
        markInserted(sale, inserted)
        for (const item of items) item.saleId = sale.id
        this.#takeLineIds(items, lineResults.at(-1)!)
      }
      if (sale.status === 'completed') trx.after('commit', () => this.#publishCompleted(sale, productIds))
      // The caller answers from these instead of reading the sale back
      return { sale, items, payment }
    })
  }

  #publishCompleted(sale: Sale, productIds: number[]) {
    publish('sale:completed', {
      saleId: sale.id,
      storeId: sale.storeId,
      registerId: sale.registerId,
      number: sale.number!,
      total: sale.total,
      productIds: [...new Set(productIds)],
    })
  }

  // ---------------------------------------------------------------- internals

  async #pay(actor: Actor, sale: Sale, items: SaleItem[], request: PaymentRequest, trx: TransactionClientContract) {
    const payment = this.#buildPayment(actor, sale, request)
    await this.#redeemPoints(sale, payment, trx)
    sale.paidTotal += payment.amount
    sale.changeDue = payment.change
    if (sale.balanceDue > 0) {
      await sale.useTransaction(trx).save()
      payment.saleId = sale.id
      await payment.useTransaction(trx).save()
      await recordAudit(
        { action: 'payment_taken', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { method: payment.method, amount: payment.amount }, ip: actor.ip },
        trx
      )
      return { sale, payment, completed: false }
    }
    const earlier = await Payment.query({ client: trx }).where({ sale_id: sale.id, status: 'approved' }).orderBy('id')
    await this.#complete(actor, sale, items, [...earlier, payment], trx, payment)
    return { sale, payment, completed: true }
  }

  /** A points payment spends the customer's points in the sale's transaction (the loyalty plugin says no when short) */
  async #redeemPoints(sale: Sale, payment: Payment, trx: TransactionClientContract) {
    if (payment.method !== LOYALTY_METHOD.id) return
    const program = pluginRegistry.loyaltyProgram()
    if (!program) throw new DomainError('Points are not accepted here', { code: 'unknown_payment_method', field: 'method' })
    if (!sale.customerId) {
      throw new DomainError('Attach the customer to the sale to pay with points', { code: 'customer_required', field: 'method' })
    }
    await program.redeem({ storeId: sale.storeId, customerId: sale.customerId, client: trx, saleId: sale.id, amount: payment.amount })
  }

  /** Works out what a payment credits and the change it gives; throws on a bad one */
  #buildPayment(actor: Actor, sale: Sale, request: PaymentRequest): Payment {
    const method = paymentMethod(request.method)
    if (!method) {
      throw new DomainError(`Unknown payment method "${request.method}"`, { code: 'unknown_payment_method', field: 'method' })
    }
    if (method.gatewayId) {
      throw new DomainError(`${method.label} payments are taken through the terminal on the till`, { code: 'gateway_payment_required', field: 'method' })
    }
    const due = sale.balanceDue
    if (due <= 0) throw new DomainError('This sale is already paid', { status: 409, code: 'already_paid' })
    // Cash settling the sale is rounded to the store's smallest coin
    const cashDue = method.isCash ? cashAmountDue(due, actor.store.cashRounding) : due

    let amount = request.amount ?? null
    const tendered = request.tendered ?? null
    if (amount !== null && (!Number.isSafeInteger(amount) || amount <= 0)) {
      throw new DomainError('The amount must be a positive whole number of cents', { code: 'invalid_amount', field: 'amount' })
    }
    if (tendered !== null && (!Number.isSafeInteger(tendered) || tendered <= 0 || tendered > 100_000_000)) {
      throw new DomainError('The amount tendered must be a positive whole number of cents', { code: 'invalid_amount', field: 'tendered' })
    }
    if (method.isCash) {
      if (amount === null) amount = Math.min(tendered ?? cashDue, cashDue)
      if (amount > cashDue) {
        throw new DomainError(`The amount is more than the ${formatMoney(cashDue, actor.store.currency)} due; enter it as tendered to give change`, { code: 'overpayment', field: 'amount' })
      }
      if (tendered !== null && tendered < amount) {
        throw new DomainError(`The amount tendered is below the ${formatMoney(amount, actor.store.currency)} to pay`, { code: 'tendered_too_low', field: 'tendered' })
      }
      if (amount === cashDue) sale.roundingTotal += cashDue - due
    } else {
      if (amount === null) amount = due
      if (amount > due) {
        throw new DomainError(`The amount is more than the ${formatMoney(due, actor.store.currency)} due`, { code: 'overpayment', field: 'amount' })
      }
    }

    const payment = new Payment()
    payment.fill({
      storeId: actor.store.id,
      userId: actor.user.id,
      method: method.id,
      amount,
      tendered: method.isCash ? (tendered ?? amount) : null,
      change: method.isCash ? (tendered ?? amount) - amount : 0,
      reference: request.reference?.slice(0, 120) ?? null,
      status: 'approved',
    })
    return payment
  }

  #ensurePaidInFull(sale: Sale, request: PaymentRequest) {
    if (sale.balanceDue > 0) {
      throw new DomainError('The payment does not cover the total; leave out payment_method and add payments instead', {
        code: 'tendered_too_low',
        field: request.tendered !== null && request.tendered !== undefined ? 'tendered' : 'amount',
      })
    }
  }

  /**
   * Completes a fully paid sale. Locks are taken in one order by every sale (the register
   * row, then products by id) so concurrent tills queue instead of deadlocking, and the
   * conditional stock update refuses overselling without a read-then-write race.
   * `locked`: the register, read under its lock by the caller, and the stock update when the
   * caller ran it in that same round trip (the API's sale); else both are done here, together.
   */
  async #complete(
    actor: Actor,
    sale: Sale,
    /** The till's lines are written already (SaleItem); a new API sale's are not (CartLine, id 0) */
    items: (SaleItem | CartLine)[],
    payments: Payment[],
    trx: TransactionClientContract,
    newPayment?: Payment,
    locked?: { register: RegisterRow; stockMoved?: StatementResult }
  ) {
    const perProduct = this.#quantitiesByProduct(items)
    const productIds = [...perProduct.keys()]
    if (!productIds.length) throw new DomainError('The sale has no items to pay for', { code: 'empty_cart' })

    let register = locked?.register
    let moved = locked?.stockMoved
    if (!register) {
      const [registerRead, stockRead] = await runStatements(trx, [this.#registerStatement(trx, sale.storeId, sale.registerId, true), this.#stockStatement(actor.store, perProduct)])
      register = registerRow(registerRead.rows[0])
      moved = stockRead
    } else if (!moved) {
      ;[moved] = await runStatements(trx, [this.#stockStatement(actor.store, perProduct)])
    }
    // A row whose stock is short is left out of the update: fewer rows changed than products
    // means the sale would oversell, and it is all rolled back
    if (moved!.affectedRows !== productIds.length) await this.#refuseShortStock(trx, perProduct, productIds)

    const completedAt = DateTime.utc().startOf('second')
    sale.merge({ status: 'completed', number: register.last_sale_number + 1, completedAt })
    // The register's open shift, read under its row lock: a closing shift never misses a sale (null without one)
    sale.shiftId = register.open_shift_id
    sale.previousHash = register.last_sale_hash
    sale.hash = saleHash(sale.previousHash, {
      storeId: sale.storeId,
      registerId: sale.registerId,
      number: sale.number!,
      completedAt: completedAt.toISO()!,
      subtotal: sale.subtotal,
      discountTotal: sale.discountTotal,
      taxTotal: sale.taxTotal,
      total: sale.total,
      items: items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitPrice: i.unitPrice, total: i.total })),
      payments: payments.map((p) => ({ method: p.method, amount: p.amount })),
    })

    // One round trip: the sale row (a new sale's INSERT comes first, and the rows below take its
    // id from it), its lines, payments, stock movements, the register's chain, the audit entry
    const isNew = !sale.$isPersisted
    const saleWrite = modelWrite(sale)
    const saleId = isNew ? insertedId(0) : sale.id
    const freshItems = items.filter((i): i is CartLine => !i.id)
    const freshPayments = payments.filter((p) => !p.$isPersisted)
    const statements: Statement[] = [
      ...(saleWrite ? [saleWrite] : []),
      ...freshPayments.map((payment) => modelInsert(payment, { sale_id: saleId })),
      insertStatement(
        'stock_movements',
        productIds.map((productId) => ({
          store_id: sale.storeId,
          product_id: productId,
          quantity: -perProduct.get(productId)!,
          reason: 'sale',
          sale_id: saleId,
          user_id: actor.user.id,
          created_at: dbTimestamp(completedAt),
        }))
      ),
      { sql: 'UPDATE registers SET last_sale_number = ?, last_sale_hash = ? WHERE id = ?', bindings: [sale.number, sale.hash, sale.registerId] },
      auditStatement({
        action: 'sale_completed',
        storeId: sale.storeId,
        userId: actor.user.id,
        subjectType: 'sale',
        subjectId: saleId,
        data: { number: sale.number, total: sale.total, payment: newPayment ? newPayment.method : payments.at(-1)?.method },
        ip: actor.ip,
      }),
      ...(freshItems.length ? this.#lineStatements(saleId, freshItems) : []),
    ]
    const results = await runStatements(trx, statements)
    const first = saleWrite ? 1 : 0
    afterWrite(sale, saleWrite ? results[0] : undefined)
    for (const item of freshItems) item.saleId = sale.id
    freshPayments.forEach((payment, index) => {
      payment.saleId = sale.id
      markInserted(payment, results[first + index])
    })
    if (freshItems.length) this.#takeLineIds(freshItems, results.at(-1)!)
  }

  /** How many of each product the sale's lines take, by product id in ascending order (the lock order) */
  #quantitiesByProduct(items: { productId: number; quantity: number }[]) {
    const perProduct = new Map<number, number>()
    for (const item of [...items].sort((a, b) => a.productId - b.productId)) perProduct.set(item.productId, (perProduct.get(item.productId) ?? 0) + item.quantity)
    return perProduct
  }

  /**
   * One UPDATE for all of a sale's products (rows are locked in id order). Unless the store
   * sells into negative stock, a row whose stock is short is left out, so fewer rows changed
   * than products means the sale would oversell.
   */
  #stockStatement(store: Store, perProduct: Map<number, number>): Statement {
    const productIds = [...perProduct.keys()]
    const quantityOf = `CASE id ${productIds.map(() => 'WHEN ? THEN ?').join(' ')} END`
    const quantities = productIds.flatMap((id) => [id, perProduct.get(id)!])
    const inIds = productIds.map(() => '?').join(', ')
    return store.allowNegativeStock
      ? { sql: `UPDATE products SET stock = stock - ${quantityOf} WHERE id IN (${inIds})`, bindings: [...quantities, ...productIds] }
      : { sql: `UPDATE products SET stock = stock - ${quantityOf} WHERE id IN (${inIds}) AND stock >= ${quantityOf}`, bindings: [...quantities, ...productIds, ...quantities] }
  }

  /** Stock ran short for a completing sale: which product, and how many are left */
  async #refuseShortStock(trx: TransactionClientContract, perProduct: Map<number, number>, productIds: number[]): Promise<never> {
    const rows = await trx.from('products').whereIn('id', productIds).select('id', 'name', 'stock')
    const stockOf = new Map(rows.map((row) => [Number(row.id), row]))
    const productId = productIds.find((id) => Number(stockOf.get(id)?.stock ?? 0) < perProduct.get(id)!) ?? productIds[0]
    const product = stockOf.get(productId)
    const left = Math.max(0, Number(product?.stock ?? 0))
    throw new DomainError(`Not enough stock of "${product?.name}": ${left} left, ${perProduct.get(productId)} in this sale`, {
      status: 409,
      code: 'insufficient_stock',
      field: `product_id:${productId}`,
    })
  }

  /** A new sale's lines: their INSERT, then the read of the ids the database gave them */
  #lineStatements(saleId: number | InsertedId, items: CartLine[]): Statement[] {
    return [
      insertStatement('sale_items', items.map((i) => ({ ...newSaleItemRow(i), sale_id: saleId }))),
      { sql: 'SELECT id, position FROM sale_items WHERE sale_id = ?', bindings: [saleId] },
    ]
  }

  /** The ids read back by #lineStatements, matched to the lines by position */
  #takeLineIds(items: CartLine[], read: StatementResult) {
    const byPosition = new Map(read.rows.map((row) => [Number(row.position), Number(row.id)]))
    for (const item of items) item.id = byPosition.get(item.position)!
  }

  /** An exchange's new sale: the credit of the returned goods first, then a payment for what is left */
  async #completeWithCredit(
    actor: Actor,
    sale: Sale,
    items: CartLine[],
    credit: { method: string; amount: number },
    request: PaymentRequest | null,
    register: RegisterRow,
    trx: TransactionClientContract
  ) {
    const first = new Payment()
    first.fill({ storeId: actor.store.id, userId: actor.user.id, method: credit.method, amount: Math.min(credit.amount, sale.total), tendered: null, change: 0, reference: null, status: 'approved' })
    sale.paidTotal = first.amount
    sale.changeDue = 0
    let payment: Payment | null = null
    if (sale.balanceDue > 0) {
      if (!request) {
        throw new DomainError('The returned goods do not cover the new items: choose a payment method for the difference', { code: 'tendered_too_low', field: 'payment_method' })
      }
      payment = this.#buildPayment(actor, sale, request)
      sale.paidTotal += payment.amount
      sale.changeDue = payment.change
      this.#ensurePaidInFull(sale, request)
    }
    await this.#complete(actor, sale, items, payment ? [first, payment] : [first], trx, payment ?? first, { register })
    return payment ?? first
  }

  /**
   * The store's register (its first one when none is named). Locked when a sale completes on it:
   * its numbers and hash chain move on under this lock (SQLite has one writer at a time anyway).
   */
  #registerStatement(trx: TransactionClientContract, storeId: number, registerId: number | null, lock: boolean): Statement {
    const byId = registerId !== null
    return {
      sql: `SELECT id, last_sale_number, last_sale_hash, open_shift_id FROM registers WHERE store_id = ?${byId ? ' AND id = ?' : ''} ORDER BY id LIMIT 1${lock && trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''}`,
      bindings: byId ? [storeId, registerId] : [storeId],
    }
  }

  /** Recomputes every amount of the sale from its lines (pricing is the only place that rounds) */
  async #price(store: Store, sale: Sale, items: (SaleItem | CartLine)[], trx: TransactionClientContract) {
    const priced = await priceCart(
      pricingInputs(items),
      { type: sale.cartDiscountType ?? null, value: sale.cartDiscountValue ?? 0 },
      taxCalculatorFor(store.id),
      { storeId: store.id, pricesIncludeTax: store.pricesIncludeTax, customerId: sale.customerId, client: trx }
    )
    // (a SaleItem takes the assignment through its model, a CartLine as plain data)
    lineAmounts(priced).forEach((amounts, index) => Object.assign(items[index], amounts))
    sale.merge({
      subtotal: priced.subtotal,
      discountTotal: priced.discountTotal,
      taxTotal: priced.taxTotal,
      total: priced.total,
    })
    // A changed cart voids an earlier cash rounding; it is worked out again at the next cash payment
    sale.roundingTotal = 0
  }

  async #lockOpenSale(actor: Actor, saleId: number, trx: TransactionClientContract) {
    const sale = await Sale.query({ client: trx }).where({ id: saleId, store_id: actor.store.id }).forUpdate().first()
    if (!sale) throw notFound('The sale', 'sale_id')
    if (sale.status !== 'open') {
      throw new DomainError(`This sale is ${sale.status}; it can no longer be changed`, { status: 409, code: `sale_${sale.status}`, field: 'sale_id' })
    }
    return sale
  }

  /**
   * A change to the till's open cart, in one transaction of two round trips on MySQL/MariaDB:
   * BEGIN with the reads (the sale, locked; a pending payment; its lines; and the change's own
   * reads), then the writes of what changed with COMMIT.
   */
  async #mutateOpenSale(
    actor: Actor,
    saleId: number,
    change: (sale: Sale, lines: CartLine[], trx: TransactionClientContract, reads: StatementResult[]) => Promise<void>,
    reads: Statement[] = []
  ): Promise<Sale> {
    return inTransaction(async (trx) => {
      const lock = trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''
      const [saleRead, pendingRead, itemsRead, ...extra] = await runStatements(trx, [
        { sql: `SELECT * FROM sales WHERE id = ? AND store_id = ?${lock}`, bindings: [saleId, actor.store.id] },
        { sql: "SELECT id FROM payments WHERE sale_id = ? AND status = 'pending' LIMIT 1", bindings: [saleId] },
        { sql: `SELECT ${CART_LINE_COLUMNS} FROM sale_items WHERE sale_id = ? ORDER BY position`, bindings: [saleId] },
        ...reads,
      ])
      const sale = this.#openSale(saleRead.rows[0])
      if (sale.paidTotal > 0) {
        throw new DomainError('Payments were taken: remove them before changing the cart', { status: 409, code: 'sale_has_payments' })
      }
      if (pendingRead.rows.length) throw pendingPaymentError()
      const lines = itemsRead.rows.map(cartLineFromRow)
      const before = new Map(lines.map((line) => [line, saleItemRow(line)]))
      await change(sale, lines, trx, extra)
      await this.#price(actor.store, sale, lines, trx)
      if (sale.userId !== actor.user.id) sale.userId = actor.user.id
      const lineWrites = lines.map((line) => cartLineWrite(line, before.get(line)))
      const saleWrite = modelWrite(sale)
      const writes = [...lineWrites, saleWrite].filter((write) => write !== null)
      // The transaction's last statements (this method opened it): they commit in their round trip
      const results = await runStatements(trx, writes, { commit: true })
      let next = 0
      lines.forEach((line, index) => {
        if (!lineWrites[index]) return
        const result = results[next++]
        if (!line.id) line.id = result.insertId
      })
      afterWrite(sale, saleWrite ? results[next] : undefined)
      keepCartLines(sale, lines)
      return sale
    })
  }

  /** A sale row read for a change: it must exist and still be open */
  #openSale(row: unknown): Sale {
    const sale = row ? Sale.$createFromAdapterResult(row) : null
    if (!sale) throw notFound('The sale', 'sale_id')
    if (sale.status !== 'open') {
      throw new DomainError(`This sale is ${sale.status}; it can no longer be changed`, { status: 409, code: `sale_${sale.status}`, field: 'sale_id' })
    }
    return sale
  }

  /** A product for the cart: active and not archived */
  #sellable(product: Product): Product {
    if (!product.sellable) {
      throw new DomainError(`"${product.name}" is archived or inactive and cannot be sold`, { code: 'product_inactive', field: 'product_id' })
    }
    return product
  }

  #checkStock(store: Store, product: Product, wanted: number) {
    if (store.allowNegativeStock || wanted <= product.stock) return
    throw new DomainError(`Not enough stock of "${product.name}": ${Math.max(0, product.stock)} left`, {
      status: 409,
      code: 'insufficient_stock',
      field: 'quantity',
    })
  }

  #checkQuantity(quantity: number) {
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw new DomainError(`The quantity must be a whole number from 1 to ${MAX_QUANTITY}`, { code: 'invalid_quantity', field: 'quantity' })
    }
  }

  #checkDiscount(type: DiscountType | null, value: number, field: string) {
    if (!type) return
    const max = type === 'percent' ? 10_000 : 100_000_000
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new DomainError(
        type === 'percent' ? 'A percent discount must be between 0 and 100' : 'The discount must be a positive amount',
        { code: 'invalid_discount', field }
      )
    }
  }

  #item(items: CartLine[], itemId: number) {
    const item = items.find((i) => i.id === itemId)
    if (!item) throw notFound('The line', 'item_id')
    return item
  }
}

/** A gateway payment waits for its terminal: the cart must not change under it */
function pendingPaymentError() {
  return new DomainError('A card payment is in progress: press its payment method again to see it, then finish or cancel it', {
    status: 409,
    code: 'payment_pending',
  })
}
