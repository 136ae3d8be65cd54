import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import type { DiscountType } from '#core/tax'
import Product from '#models/product'
import Store from '#models/store'
import type User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import { recordAudit } from '#platform/audit_service'
import { inTransaction, writeAtCommit } from '#platform/db_transaction'
import { afterWrite, markInserted, modelFromRow, modelInsert, modelWrite, runStatements, type Statement, type StatementResult } from '#platform/sql_batch'
import { codeLookup, productFound } from '#catalog/catalog_service'
import { CART_LINE_COLUMNS, cartLineFromRow, cartLineWrite, keepCartLines, saleItemRow } from '#sales/cart_line_rows'
import { newCartLine, quantityInCart, type CartLine } from '#core/cart_lines'
import { MAX_UNIT_PRICE } from '#core/money'
import { approveDiscount, discountedSale, discountsBefore } from '#sales/discount_limit'
import { cartOnScreen } from '#sales/cart_screen'
import { customerStatement, checkCustomer, pendingPaymentError, priceSale, lockOpenSale, checkQuantity, checkDiscount } from '#sales/checkout_rules'

/*
| The till's cart: an open sale on the server, changed one action at a time (scan, quantity,
| discounts, price override, customer), each in one transaction that prices the whole cart
| again (app/core/pricing.ts) and writes only what changed; parked, resumed or voided whole.
*/

/**
 * The cart as the till's screen shows it: the page sends its id (the X-Cart-Id header), and
 * the change takes it only when, under its lock, it is still the open till sale of this
 * register in this store. The register's row is read in the same round trip (`register`, for
 * the answer), so a scan spends no round trip of its own finding its cart.
 */
export interface ShownCart {
  saleId: number
  registerId: number
  register?: Record<string, any>
}

/** The cart the screen showed is no longer the register's open one (completed, voided, parked, elsewhere) */
export class ShownCartChanged extends Error {}

/** A cart change names its cart by id (read on the server) or as the screen shows it */
export type CartRef = number | ShownCart

export default class CartService {
  /** The till's open sale on a register (`columns` of it), as a statement for a caller that reads it with others */
  openCartStatement(registerId: number, columns = '*'): Statement {
    return { sql: `SELECT ${columns} FROM sales WHERE register_id = ? AND status = 'open' AND channel = 'till' ORDER BY id DESC LIMIT 1`, bindings: [registerId] }
  }

  /** The register's open sale on the till (`read`: openCartStatement's result), created when there is none */
  async currentCart(actor: Actor, registerId: number, read?: StatementResult): Promise<Sale> {
    const found = read ?? (await runStatements(db.connection(), [this.openCartStatement(registerId)]))[0]
    if (found.rows[0]) return modelFromRow(Sale, found.rows[0])
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
    return this.#emptyCart(actor, registerId).save()
  }

  /**
   * The register's next cart, written with the COMMIT of the transaction that completes its sale
   * (no round trip of its own); its id is set once that COMMIT has answered. The completed panel
   * names it (X-Cart-Id), so the next customer's first scan needs no lookup and no INSERT.
   */
  nextCartAtCommit(trx: TransactionClientContract, actor: Actor, registerId: number): Sale {
    const cart = this.#emptyCart(actor, registerId)
    writeAtCommit(trx, [modelInsert(cart)], ([inserted]) => markInserted(cart, inserted))
    return cart
  }

  #emptyCart(actor: Actor, registerId: number) {
    // Its amounts written, not left to the columns' defaults: the model answers with what it was
    // given, and an undefined total made the new cart's amount due NaN (a 500 with cash rounding)
    return new Sale().merge({
      storeId: actor.store.id,
      registerId,
      userId: actor.user.id,
      status: 'open',
      channel: 'till',
      subtotal: 0,
      discountTotal: 0,
      taxTotal: 0,
      total: 0,
      paidTotal: 0,
      changeDue: 0,
      roundingTotal: 0,
      cartDiscountValue: 0,
    })
  }

  /** `approver`: a manager who gave their PIN, for goods that take the discounts past what is allowed (discount_limit.ts) */
  async addProduct(actor: Actor, cart: CartRef, productId: number, quantity = 1, approver: User | null = null) {
    const read = { sql: 'SELECT * FROM products WHERE id = ? AND store_id = ?', bindings: [productId, actor.store.id] }
    const sale = await this.#addProduct(actor, cart, quantity, [read], ([found]) => (found.rows[0] ? modelFromRow(Product, found.rows[0]) : null), approver)
    if (!sale) throw notFound('The product', 'product_id')
    return sale
  }

  /** A scanned code (a barcode, else a SKU): one more of its product; null when no product has it */
  async addByCode(actor: Actor, cart: CartRef, code: string, approver: User | null = null) {
    const lookup = codeLookup(actor.store.id, code)
    return lookup ? this.#addProduct(actor, cart, 1, lookup, productFound, approver) : null
  }

  /** Adds the product that `pick` finds in the reads, in the cart's transaction; null when none */
  async #addProduct(actor: Actor, cart: CartRef, quantity: number, reads: Statement[], pick: (reads: StatementResult[]) => Product | null, approver: User | null) {
    checkQuantity(quantity)
    const noProduct = new Error('no product')
    try {
      return await this.#mutateOpenSale(
        actor,
        cart,
        async (sale, items, _trx, found) => {
          const picked = pick(found)
          if (!picked) throw noProduct
          const product = this.#sellable(picked)
          const existing = items.find((i) => i.productId === product.id && !i.priceOverrideBy && !i.discountType)
          const newQuantity = (existing?.quantity ?? 0) + quantity
          checkQuantity(newQuantity)
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
        reads,
        approver
      )
    } catch (error) {
      if (error === noProduct) return null
      throw error
    }
  }

  /** `approver`: a manager who gave their PIN, for a quantity that takes the discounts past what is allowed (discount_limit.ts) */
  async setQuantity(actor: Actor, cart: CartRef, itemId: number, quantity: number, approver: User | null = null) {
    if (quantity === 0) return this.removeItem(actor, cart, itemId, approver)
    checkQuantity(quantity)
    return this.#mutateOpenSale(actor, cart, async (_sale, items, trx) => {
      const item = this.#item(items, itemId)
      const product = await Product.query({ client: trx }).where('id', item.productId).firstOrFail()
      this.#checkStock(actor.store, product, quantityInCart(items, item.productId) - item.quantity + quantity)
      item.quantity = quantity
    }, [], approver)
  }

  async removeItem(actor: Actor, cart: CartRef, itemId: number, approver: User | null = null) {
    return this.#mutateOpenSale(actor, cart, async (_sale, items, trx) => {
      const item = this.#item(items, itemId)
      await runStatements(trx, [{ sql: 'DELETE FROM sale_items WHERE id = ?', bindings: [item.id] }])
      items.splice(items.indexOf(item), 1)
    }, [], approver)
  }

  /** `approver`: a manager who gave their PIN for a discount past the store's limit (discount_limit.ts) */
  async setLineDiscount(actor: Actor, cart: CartRef, itemId: number, type: DiscountType | null, value: number, approver: User | null = null) {
    checkDiscount(type, value, 'discount_value')
    return this.#mutateOpenSale(actor, cart, async (sale, items, trx) => {
      const item = this.#item(items, itemId)
      item.discountType = type && value > 0 ? type : null
      item.discountValue = item.discountType ? value : 0
      await recordAudit(
        { action: 'line_discount', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { itemId, type, value }, ip: actor.ip },
        trx
      )
    }, [], approver)
  }

  async setCartDiscount(actor: Actor, cart: CartRef, type: DiscountType | null, value: number, approver: User | null = null) {
    checkDiscount(type, value, 'discount_value')
    return this.#mutateOpenSale(actor, cart, async (sale, _items, trx) => {
      sale.cartDiscountType = type && value > 0 ? type : null
      sale.cartDiscountValue = sale.cartDiscountType ? value : 0
      await recordAudit(
        { action: 'cart_discount', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data: { type, value }, ip: actor.ip },
        trx
      )
    }, [], approver)
  }

  /** A new unit price for a line, approved by a manager (who may be the actor) */
  async overridePrice(actor: Actor, cart: CartRef, itemId: number, unitPrice: number, approver: User) {
    if (!approver.isManager) {
      throw new DomainError('A manager must approve a price override', { status: 403, code: 'manager_required' })
    }
    if (!Number.isSafeInteger(unitPrice) || unitPrice < 0 || unitPrice > MAX_UNIT_PRICE) {
      throw new DomainError('The price must be a whole number of cents from 0 to 1,000,000.00', {
        code: 'invalid_price',
        field: 'price',
      })
    }
    return this.#mutateOpenSale(actor, cart, async (sale, items, trx) => {
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
    }, [], approver)
  }

  /**
   * Abandons the cart: it stays in the database as a voided cart, never deleted. A cart with
   * nothing on it (no line, customer or cart discount) stays as it is (each press of Void wrote a
   * voided, empty sale and an audit entry); null then.
   */
  async voidCart(actor: Actor, saleId: number) {
    return inTransaction(async (trx) => {
      const sale = await lockOpenSale(actor, saleId, trx)
      const blank = !sale.customerId && !sale.cartDiscountType && !(await trx.from('sale_items').where('sale_id', sale.id).select('id').first())
      if (blank) return null
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

  /** Attaches a customer of the store to the open sale, or detaches with null; prices may depend on who buys */
  async setCustomer(actor: Actor, cart: CartRef, customerId: number | null) {
    return this.#mutateOpenSale(actor, cart, async (sale, _items, trx) => {
      if (customerId !== null) {
        const [read] = await runStatements(trx, [customerStatement(actor.store.id, customerId)])
        checkCustomer(read.rows[0], () => notFound('The customer', 'customer_id'))
      }
      sale.customerId = customerId
    })
  }

  /**
   * A change to the till's open cart, in one transaction of two round trips on MySQL/MariaDB:
   * BEGIN with the reads (the sale, locked; a pending payment; its lines; the change's own
   * reads; for a shown cart, its register), then the writes of what changed with COMMIT.
   */
  async #mutateOpenSale(
    actor: Actor,
    cart: CartRef,
    change: (sale: Sale, lines: CartLine[], trx: TransactionClientContract, reads: StatementResult[]) => Promise<void>,
    reads: Statement[] = [],
    /** A manager who gave their PIN with the change; undefined for a change whose form has no PIN field */
    approver?: User | null
  ): Promise<Sale> {
    const shown = typeof cart === 'number' ? null : cart
    const saleId = shown ? shown.saleId : (cart as number)
    return inTransaction(async (trx) => {
      const lock = trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''
      const [saleRead, pendingRead, itemsRead, ...extra] = await runStatements(trx, [
        { sql: `SELECT * FROM sales WHERE id = ? AND store_id = ?${lock}`, bindings: [saleId, actor.store.id] },
        { sql: "SELECT id FROM payments WHERE sale_id = ? AND status = 'pending' LIMIT 1", bindings: [saleId] },
        { sql: `SELECT ${CART_LINE_COLUMNS} FROM sale_items WHERE sale_id = ? ORDER BY position`, bindings: [saleId] },
        ...reads,
        ...(shown ? [{ sql: 'SELECT * FROM registers WHERE id = ? AND store_id = ?', bindings: [shown.registerId, actor.store.id] }] : []),
      ])
      if (shown) {
        const row = saleRead.rows[0]
        shown.register = extra.pop()!.rows[0]
        // Checked under the sale's lock: nothing can complete, void or park it before this commits
        const stillShown = row && row.status === 'open' && row.channel === 'till' && Number(row.register_id) === shown.registerId
        if (!stillShown || !shown.register) throw new ShownCartChanged()
      }
      const sale = this.#openSale(saleRead.rows[0])
      if (sale.paidTotal > 0) {
        throw new DomainError('Payments were taken: remove them before changing the cart', { status: 409, code: 'sale_has_payments' })
      }
      if (pendingRead.rows.length) throw pendingPaymentError()
      const lines = itemsRead.rows.map(cartLineFromRow)
      const before = new Map(lines.map((line) => [line, saleItemRow(line)]))
      const shownBefore = cartOnScreen(sale, lines)
      const discountBefore = discountsBefore(sale)
      await change(sale, lines, trx, extra)
      await priceSale(actor.store, sale, lines, trx)
      // A change with no PIN field (the sale's customer): the cashier lowers the discount, or a manager makes it
      const remedy = approver === undefined ? 'Lower the discount first, or have a manager make this change.' : undefined
      const approved = approveDiscount(actor.store.discountLimit, discountedSale(sale, lines), discountBefore, actor.user.isManager ? actor.user : (approver ?? null), 'pin', remedy)
      if (approved !== null) {
        sale.discountApprovedBp = approved.shareBp
        sale.discountApprovedAmount = approved.amount
        const approvedBy = actor.user.isManager ? actor.user.id : approver!.id
        const data = { shareBp: approved.shareBp, amount: approved.amount, limitBp: actor.store.discountLimit, approvedBy }
        await recordAudit({ action: 'discount_approved', storeId: sale.storeId, userId: actor.user.id, subjectType: 'sale', subjectId: sale.id, data, ip: actor.ip }, trx)
      }
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
      keepCartLines(sale, lines, shownBefore)
      return sale
    })
  }

  /** A sale row read for a change: it must exist and still be open */
  #openSale(row: unknown): Sale {
    const sale = row ? modelFromRow(Sale, row as Record<string, unknown>) : null
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

  #item(items: CartLine[], itemId: number) {
    const item = items.find((i) => i.id === itemId)
    if (!item) throw notFound('The line', 'item_id')
    return item
  }
}
