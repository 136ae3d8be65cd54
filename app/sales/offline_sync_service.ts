import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { DomainError } from '#exceptions/domain_error'
import Sale from '#models/sale'
import type Store from '#models/store'
import UserModel from '#models/user'
import type User from '#models/user'
import { inTransaction } from '#platform/db_transaction'
import { dbTimestamp } from '#platform/db_time'
import { auditStatement, recordAudit } from '#platform/audit_service'
import { faultPoint } from '#platform/fault_injection'
import { insertedId, insertStatement, modelInsert, runStatements, type InsertedId, type Statement } from '#platform/sql_batch'
import { quantitiesByProduct, stockStatement } from '#sales/sale_completion'
import { saleSummaryStatements } from '#sales/sale_summaries'
import { flatRateTax } from '#sales/flat_rate_tax'
import { checkOfflineSale, type OfflineSale, type PricedOfflineSale } from '#sales/offline_sale_check'
import StoreAccessService from '#staff/store_access_service'
import { publish } from '#events/domain_events'

/*
| Recording the sales a till made while the server was out of reach (the offline till).
| - Exactly once: a sale carries the UUID its till gave it (sales.client_uuid, unique); the same
|   UUID again answers with the sale recorded the first time, however often it arrives.
| - Numbers and the chain: the till numbered the sale and linked it to the previous one itself,
|   holding its register's lease; the server takes it only as the register's next number on top
|   of the register's last hash. Anything else means the register sold elsewhere meanwhile: the
|   sale is refused loudly (409) and kept whole for a manager (offline_reviews), never renumbered.
| - Checked like any sale: the cashier who made it is active, may sell, and works in the store;
|   its amounts and hash are what its lines make (offline_sale_check.ts). A forged or tampered
|   one is refused (422) and written to the audit log.
| - A fact: it is recorded even if stock went negative meanwhile, or a price, a tax rate or the
|   product changed since the till's catalog copy; each such difference goes to the review list.
*/

export interface SyncActor {
  user: User
  store: Store
  ip?: string | null
}

export interface SyncAnswer {
  saleId: number
  number: number
  replayed: boolean
  reviews: string[]
}

type Review = { kind: string; message: string; detail?: unknown }

export default class OfflineSyncService {
  async record(actor: SyncActor, sale: OfflineSale): Promise<SyncAnswer> {
    const recorded = await this.#recorded(actor.store.id, sale.client_uuid)
    if (recorded) return recorded

    const seller = await this.#seller(actor, sale)
    const { priced, problem } = await checkOfflineSale(sale, actor.store)
    if (problem) {
      await recordAudit({ action: 'offline_sale_refused', storeId: actor.store.id, userId: actor.user.id, subjectType: 'register', subjectId: sale.register_id, data: { clientUuid: sale.client_uuid, number: sale.number, reason: problem }, ip: actor.ip })
      throw new DomainError(`This offline sale was refused: ${problem}`, { code: 'offline_sale_invalid', field: 'hash' })
    }

    let outcome: { conflict: string } | { recorded: true } | { saleId: number; reviews: Review[] }
    try {
      outcome = await inTransaction((trx) => this.#write(actor, seller, sale, priced, trx))
    } catch (error: any) {
      // The same UUID committed by a concurrent request (two tabs, a retry after a timeout)
      const again = error?.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed: sales\.client_uuid/.test(String(error?.message)) ? await this.#recorded(actor.store.id, sale.client_uuid) : null
      if (again) return again
      throw error
    }
    if ('recorded' in outcome) return (await this.#recorded(actor.store.id, sale.client_uuid))!
    if ('conflict' in outcome) {
      throw new DomainError(outcome.conflict, { status: 409, code: 'register_conflict', field: 'number' })
    }
    // The crash tests' "committed, but the till never got the answer" (honoured only in tests)
    faultPoint('after_offline_sale_commit')
    publish('sale:completed', { saleId: outcome.saleId, storeId: actor.store.id, registerId: sale.register_id, number: sale.number, total: sale.total, productIds: [...new Set(sale.items.map((i) => i.product_id))], tenders: sale.payments.map((p) => ({ method: p.method, amount: p.amount })) })
    return { saleId: outcome.saleId, number: sale.number, replayed: false, reviews: outcome.reviews.map((r) => r.kind) }
  }

  async #recorded(storeId: number, clientUuid: string): Promise<SyncAnswer | null> {
    const row = await db.from('sales').where('client_uuid', clientUuid).select('id', 'store_id', 'number').first()
    if (!row) return null
    if (Number(row.store_id) !== storeId) throw new DomainError('This sale belongs to another store', { status: 409, code: 'store_mismatch', field: 'client_uuid' })
    const reviews = await db.from('offline_reviews').where('client_uuid', clientUuid).select('kind')
    return { saleId: Number(row.id), number: Number(row.number), replayed: true, reviews: reviews.map((r) => r.kind) }
  }

  /** The cashier who made the sale: active, allowed to sell, working in this store */
  async #seller(actor: SyncActor, sale: OfflineSale): Promise<User> {
    const seller = sale.user_id === actor.user.id ? actor.user : await UserModel.find(sale.user_id)
    const allowed = seller && seller.active && ['admin', 'manager', 'cashier'].includes(seller.role) && (await new StoreAccessService().belongs(seller, actor.store.id))
    if (!allowed) {
      await recordAudit({ action: 'offline_sale_refused', storeId: actor.store.id, userId: actor.user.id, subjectType: 'register', subjectId: sale.register_id, data: { clientUuid: sale.client_uuid, number: sale.number, reason: 'seller not allowed', sellerId: sale.user_id }, ip: actor.ip })
      throw new DomainError('This offline sale was refused: its cashier may not sell in this store', { code: 'offline_sale_invalid', field: 'user_id' })
    }
    return seller
  }

  /**
   * Two round trips on MariaDB, as an online sale: the locking reads, then every write with the
   * COMMIT (sql_batch.ts). Locks in the online order: the register, then products by id.
   */
  async #write(actor: SyncActor, seller: User, sale: OfflineSale, priced: PricedOfflineSale, trx: TransactionClientContract) {
    const storeId = actor.store.id
    const perProduct = quantitiesByProduct(sale.items.map((item) => ({ productId: item.product_id, quantity: item.quantity })))
    const productIds = [...perProduct.keys()]
    const [registerRead, sameSale, productsRead, reviewsRead] = await runStatements(trx, [
      { sql: 'SELECT id, last_sale_number, last_sale_hash, open_shift_id FROM registers WHERE id = ? AND store_id = ? FOR UPDATE', bindings: [sale.register_id, storeId] },
      // The same sale committed while this one waited for the register (two tabs, a retry): a
      // locking read sees it, and the first answer is given again
      { sql: 'SELECT id FROM sales WHERE client_uuid = ? FOR UPDATE', bindings: [sale.client_uuid] },
      { sql: `SELECT id, name, price, tax_class, stock, active, archived_at FROM products WHERE store_id = ? AND id IN (${productIds.map(() => '?').join(', ')}) ORDER BY id FOR UPDATE`, bindings: [storeId, ...productIds] },
      { sql: 'SELECT kind FROM offline_reviews WHERE client_uuid = ?', bindings: [sale.client_uuid] },
    ].map((statement) => (trx.dialect.name === 'mysql' ? statement : { ...statement, sql: statement.sql.replace(/ FOR UPDATE$/, '') })))
    const register = registerRead.rows[0]
    if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
    if (sameSale.rows.length) return { recorded: true as const }
    const reviewed = new Set<string>(reviewsRead.rows.map((r) => r.kind))
    const expected = Number(register.last_sale_number) + 1
    if (sale.number !== expected || (sale.previous_hash ?? null) !== (register.last_sale_hash ?? null)) {
      const message = `Register sale #${sale.number} made offline cannot be recorded: the register's next number is #${expected}${sale.number === expected ? ', and its chain has moved on' : ''}. Someone sold on this register meanwhile; the sale is kept for a manager to review.`
      await runStatements(trx, [
        ...reviewStatements(storeId, sale, null, [{ kind: 'conflict', message, detail: sale }], reviewed),
        auditStatement({ action: 'offline_sale_conflict', storeId, userId: actor.user.id, subjectType: 'register', subjectId: sale.register_id, data: { clientUuid: sale.client_uuid, number: sale.number, expected }, ip: actor.ip }),
      ])
      return { conflict: message }
    }

    const byId = new Map(productsRead.rows.map((p) => [Number(p.id), p]))
    const rates = await flatRateTax.ratesFor(storeId, trx)
    const reviews: Review[] = []
    for (const item of sale.items) {
      const product = byId.get(item.product_id)
      if (!product) throw new DomainError(`Product ${item.product_id} does not exist in this store`, { code: 'unknown_product', field: 'items' })
      if (!Number(product.active) || product.archived_at) reviews.push({ kind: 'product_archived', message: `${item.name} was sold offline after it was taken off sale` })
      if (Number(product.price) !== item.list_price) reviews.push({ kind: 'price_changed', message: `${item.name} was sold offline at ${item.list_price} (list); the price is now ${product.price}`, detail: { productId: item.product_id, soldAt: item.list_price, now: Number(product.price) } })
      const rate = rates.get(item.tax_class)?.ratePpm ?? 0
      if (rate !== item.tax_rate_ppm) reviews.push({ kind: 'tax_changed', message: `${item.name} was taxed offline at ${item.tax_rate_ppm / 10_000}%; the rate is now ${rate / 10_000}%` })
    }
    // The stock moves whatever it was: an offline sale is a fact (negative stock is reviewed)
    for (const [productId, quantity] of perProduct) {
      const left = Number(byId.get(productId)!.stock) - quantity
      if (left < 0) reviews.push({ kind: 'negative_stock', message: `${byId.get(productId)!.name}: stock went to ${left} with this offline sale`, detail: { productId, stock: left } })
    }

    const completedAt = DateTime.fromISO(sale.completed_at, { zone: 'utc' })
    const now = dbTimestamp()
    const record = new Sale().merge({
      storeId,
      registerId: sale.register_id,
      userId: seller.id,
      customerId: null,
      shiftId: register.open_shift_id ?? null,
      status: 'completed',
      channel: 'offline',
      number: sale.number,
      subtotal: sale.subtotal,
      discountTotal: sale.discount_total,
      taxTotal: sale.tax_total,
      total: sale.total,
      paidTotal: sale.payments.reduce((sum, p) => sum + p.amount, 0),
      changeDue: sale.payments.reduce((sum, p) => sum + (p.method === 'cash' ? (p.tendered ?? p.amount) - p.amount : 0), 0),
      roundingTotal: sale.rounding,
      cartDiscountType: sale.cart_discount_type,
      cartDiscountValue: sale.cart_discount_value,
      previousHash: sale.previous_hash,
      hash: sale.hash,
      completedAt,
      clientUuid: sale.client_uuid,
      deviceId: sale.device_id,
    })
    const summaryLines = sale.items.map((item, position) => ({ productId: item.product_id, quantity: item.quantity, total: priced.lines[position].total, taxTotal: priced.lines[position].taxTotal }))
    // The sale's INSERT comes first after the stock: the rows below take its id from it
    const saleId = insertedId(1)
    const [, saleInsert] = await runStatements(
      trx,
      [
        stockStatement({ allowNegativeStock: true }, perProduct),
        modelInsert(record),
        insertStatement(
          'sale_items',
          sale.items.map((item, position) => ({
            sale_id: saleId,
            product_id: item.product_id,
            name: item.name,
            sku: item.sku,
            quantity: item.quantity,
            list_price: item.list_price,
            unit_price: item.unit_price,
            discount_type: item.discount_type,
            discount_value: item.discount_value,
            line_discount: priced.lines[position].lineDiscount,
            cart_discount_share: priced.lines[position].cartDiscountShare,
            tax_class: item.tax_class,
            tax_rate_ppm: item.tax_rate_ppm,
            tax_total: priced.lines[position].taxTotal,
            subtotal: priced.lines[position].subtotal,
            total: priced.lines[position].total,
            position,
            created_at: now,
            updated_at: now,
          }))
        ),
        insertStatement(
          'payments',
          sale.payments.map((p) => ({
            sale_id: saleId,
            store_id: storeId,
            user_id: seller.id,
            method: p.method,
            amount: p.amount,
            tendered: p.method === 'cash' ? (p.tendered ?? p.amount) : null,
            change: p.method === 'cash' ? (p.tendered ?? p.amount) - p.amount : 0,
            reference: p.reference,
            status: 'approved',
            created_at: dbTimestamp(completedAt),
            updated_at: now,
          }))
        ),
        insertStatement(
          'stock_movements',
          productIds.map((productId) => ({ store_id: storeId, product_id: productId, quantity: -perProduct.get(productId)!, reason: 'sale', sale_id: saleId, user_id: seller.id, created_at: dbTimestamp(completedAt) }))
        ),
        { sql: 'UPDATE registers SET last_sale_number = ?, last_sale_hash = ? WHERE id = ?', bindings: [sale.number, sale.hash, sale.register_id] },
        auditStatement({ action: 'sale_completed', storeId, userId: seller.id, subjectType: 'sale', subjectId: saleId, data: { number: sale.number, total: sale.total, payment: sale.payments.at(-1)?.method, offline: true, syncedBy: actor.user.id }, ip: actor.ip }),
        ...reviewStatements(storeId, sale, saleId, reviews, reviewed),
        // Last, the report summaries of the day it was made (its own completed_at, however late
        // it syncs): rows every till of the store writes, locked only from here to the COMMIT
        ...saleSummaryStatements(trx.dialect.name, actor.store.timeZone, { storeId, userId: seller.id, completedAt, total: sale.total, taxTotal: sale.tax_total, discountTotal: sale.discount_total, lines: summaryLines, payments: sale.payments }, 1),
      ],
      { commit: true }
    )
    return { saleId: Number(saleInsert.insertId), reviews }
  }
}

/** The review rows of a sale (one per kind not reviewed yet for its UUID) */
function reviewStatements(storeId: number, sale: OfflineSale, saleId: number | InsertedId | null, reviews: Review[], reviewed: Set<string>): Statement[] {
  const fresh = reviews.filter((r, i) => !reviewed.has(r.kind) && reviews.findIndex((o) => o.kind === r.kind) === i)
  if (!fresh.length) return []
  return [
    insertStatement(
      'offline_reviews',
      fresh.map((r) => ({
        store_id: storeId,
        register_id: sale.register_id,
        sale_id: saleId,
        client_uuid: sale.client_uuid,
        kind: r.kind,
        message: reviews.filter((o) => o.kind === r.kind).map((o) => o.message).join('; ').slice(0, 255),
        detail: r.detail === undefined ? null : JSON.stringify(r.detail),
        created_at: dbTimestamp(),
      }))
    ),
  ]
}
