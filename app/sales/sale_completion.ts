import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import Store from '#models/store'
import { DomainError } from '#exceptions/domain_error'
import type { Actor } from '#staff/actor'
import { auditStatement, type AuditEntry } from '#platform/audit_service'
import { saleHash } from '#core/sale_chain'
import { afterWrite, insertedId, insertStatement, modelWrite, runStatements, type InsertedId, type Statement, type StatementResult } from '#platform/sql_batch'
import { dbTimestamp } from '#platform/db_time'
import { writeAtCommit } from '#platform/db_transaction'
import { newSaleItemRow } from '#sales/cart_line_rows'
import type { CartLine } from '#core/cart_lines'
import { type RegisterRow, registerRow } from '#sales/checkout_rules'
import { saleSummaryStatements } from '#sales/sale_summaries'
import { refuseLeasedElsewhere } from '#sales/register_lease_service'
import { paymentMethod } from '#sales/payment_methods'
import { NewPayment, NewSale, newPaymentInsert, newSaleInsert, type PaymentFields } from '#sales/new_sale'

/*
| Completing a paid sale, in one transaction: the register's next number and hash-chain link
| under its row lock, the stock update that refuses overselling, the lines, payments, stock
| movements and audit entry in one round trip (sql_batch.ts).
*/

/**
 * A till sells in a shift (its page asks for one): a cart paid after its shift was closed went into
 * no Z report, its cash into no drawer's count. The API may sell by card (or points, credit) on a
 * register with no shift, but cash goes into that register's drawer, so it needs the register's
 * shift open too: API cash sales completed without one, and their cash was in no Z report.
 * `newPayment`: the one the request sends. When it is the cash, the refusal is at its `method`
 * (payment_method on a one-call sale: checkout_service.ts), as a refund's cash back is: another
 * tender sells. When the cash was taken earlier, nothing in the request can change it (only a
 * shift opened on the register): no field. The till's has none either: its register is the
 * till's own, not a field of the form.
 */
export function refuseWithoutShift(channel: Sale['channel'], openShiftId: number | null, payments: { method: string }[], newPayment?: { method: string }) {
  if (openShiftId) return
  if (channel === 'till') {
    throw new DomainError('No shift is open on this register (it was closed): open a shift to take this payment', { status: 409, code: 'no_open_shift' })
  }
  if (payments.some((payment) => paymentMethod(payment.method)?.isCash)) {
    const sentCash = !!newPayment && !!paymentMethod(newPayment.method)?.isCash
    throw new DomainError(
      sentCash
        ? 'Cash goes into the register’s drawer, and no shift is open on this register: open a shift on it (POST /api/shifts) to take cash, or pay by card'
        : 'Cash taken earlier on this sale went into the register’s drawer, and no shift is open on this register now: open a shift on it (POST /api/shifts) to complete the sale',
      { status: 409, code: 'no_open_shift', field: sentCash ? 'method' : undefined }
    )
  }
}

/**
 * Completes a fully paid sale. Locks are taken in one order by every sale (the register
 * row, then products by id) so concurrent tills queue instead of deadlocking, and the
 * conditional stock update refuses overselling without a read-then-write race.
 * `locked`: the register, read under its lock by the caller, and the stock update when the
 * caller ran it in that same round trip (the API's sale); else both are done here, together.
 */
export async function completeSale(
  actor: Actor,
  /** The till's open sale (a model); a new API sale is written here (NewSale) */
  sale: Sale | NewSale,
  /** The till's lines are written already (SaleItem); a new API sale's are not (CartLine, id 0) */
  items: (SaleItem | CartLine)[],
  /** Those taken earlier (models) and the new ones, written here (NewPayment) */
  payments: (Payment | NewPayment)[],
  trx: TransactionClientContract,
  newPayment?: PaymentFields,
  locked?: { register: RegisterRow; stockMoved?: StatementResult },
  /**
   * The sale's rows go with the COMMIT (writeAtCommit): one round trip fewer. Only when the caller
   * runs nothing after this in the transaction that reads these rows or needs their ids; the
   * ids are set once the COMMIT has answered. `audits`: more entries about the sale (the API's
   * line discounts), written with its own. `made`: a sale made earlier, recorded now (an offline
   * sale held for review that a manager records, held_sale_recorder.ts): dated when it was made, in
   * the shift open then (null: none), the register's lease and shift left to the caller
   */
  options: { atCommit?: boolean; audits?: SaleAudit[]; made?: { at: DateTime; shiftId: number | null } } = {}
): Promise<{ saleInsert: Statement | null }> {
  const perProduct = quantitiesByProduct(items)
  const productIds = [...perProduct.keys()]
  if (!productIds.length) throw new DomainError('The sale has no items to pay for', { code: 'empty_cart' })

  let register = locked?.register
  let moved = locked?.stockMoved
  if (!register) {
    const [registerRead, stockRead] = await runStatements(trx, [registerStatement(trx, sale.storeId, sale.registerId, true), stockStatement(actor.store, perProduct)])
    register = registerRow(registerRead.rows[0])
    moved = stockRead
  } else if (!moved) {
    ;[moved] = await runStatements(trx, [stockStatement(actor.store, perProduct)])
  }
  // Not on a register another till holds for offline selling (read in the locking read above)
  if (!options.made) {
    await refuseLeasedElsewhere(trx, register, actor.deviceId)
    refuseWithoutShift(sale.channel, register.open_shift_id, payments, newPayment)
  }
  // A row whose stock is short is left out of the update: fewer rows changed than products
  // means the sale would oversell, and it is all rolled back
  if (moved!.affectedRows !== productIds.length) await refuseShortStock(trx, perProduct, productIds, items)

  const completedAt = options.made?.at ?? DateTime.utc().startOf('second')
  sale.status = 'completed'
  sale.number = register.last_sale_number + 1
  sale.completedAt = completedAt
  // The register's open shift, read under its row lock: a closing shift never misses a sale (null without one)
  sale.shiftId = options.made ? options.made.shiftId : register.open_shift_id
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
  const isNew = sale instanceof NewSale
  const saleWrite = isNew ? newSaleInsert(sale) : modelWrite(sale)
  const saleId = isNew ? insertedId(saleWrite!) : sale.id
  const freshItems = items.filter((i): i is CartLine => !i.id)
  const freshPayments = payments.filter((p): p is NewPayment => p instanceof NewPayment && !p.id)
  const summaries = await saleSummaryStatements(trx, actor.store.timeZone, { storeId: sale.storeId, registerId: sale.registerId, userId: sale.userId, completedAt, total: sale.total, taxTotal: sale.taxTotal, discountTotal: sale.discountTotal, rounding: sale.roundingTotal, lines: items, payments }, 1)
  const statements: Statement[] = [
    ...(saleWrite ? [saleWrite] : []),
    ...freshPayments.map((payment) => newPaymentInsert(payment, saleId)),
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
    }, ...saleSubject(options.audits ?? [], saleId)),
    ...(freshItems.length ? lineStatements(saleId, freshItems) : []),
  ]
  const written = (results: StatementResult[]) => {
    const first = saleWrite ? 1 : 0
    if (isNew) sale.id = results[0].insertId
    else afterWrite(sale, saleWrite ? results[0] : undefined)
    for (const item of freshItems) item.saleId = sale.id
    freshPayments.forEach((payment, index) => {
      payment.saleId = sale.id
      payment.id = results[first + index].insertId
    })
    if (freshItems.length) takeLineIds(freshItems, results.at(-1)!)
  }
  // The report summaries of its day (exact at every commit) go with the COMMIT: rows every till
  // of the store writes, locked only for that last round trip
  if (options.atCommit) {
    writeAtCommit(trx, [...statements, ...summaries], (results) => written(results.slice(0, statements.length)))
  } else {
    written(await runStatements(trx, statements))
    writeAtCommit(trx, summaries)
  }
  return { saleInsert: isNew ? saleWrite : null }
}

/** An audit entry about a sale, which is its subject once its id is known */
export type SaleAudit = Omit<AuditEntry, 'subjectType' | 'subjectId'>

export function saleSubject(entries: SaleAudit[], saleId: number | InsertedId): AuditEntry[] {
  return entries.map((entry) => ({ ...entry, subjectType: 'sale', subjectId: saleId }))
}

/** How many of each product the sale's lines take, by product id in ascending order (the lock order) */
export function quantitiesByProduct(items: { productId: number; quantity: number }[]) {
  const perProduct = new Map<number, number>()
  for (const item of [...items].sort((a, b) => a.productId - b.productId)) perProduct.set(item.productId, (perProduct.get(item.productId) ?? 0) + item.quantity)
  return perProduct
}

/**
 * One UPDATE for all of a sale's products (rows are locked in id order). Unless the store
 * sells into negative stock, a row whose stock is short is left out, so fewer rows changed
 * than products means the sale would oversell.
 */
export function stockStatement(store: Pick<Store, 'allowNegativeStock'>, perProduct: Map<number, number>): Statement {
  const productIds = [...perProduct.keys()]
  const quantityOf = `CASE id ${productIds.map(() => 'WHEN ? THEN ?').join(' ')} END`
  const quantities = productIds.flatMap((id) => [id, perProduct.get(id)!])
  const inIds = productIds.map(() => '?').join(', ')
  return store.allowNegativeStock
    ? { sql: `UPDATE products SET stock = stock - ${quantityOf} WHERE id IN (${inIds})`, bindings: [...quantities, ...productIds] }
    : { sql: `UPDATE products SET stock = stock - ${quantityOf} WHERE id IN (${inIds}) AND stock >= ${quantityOf}`, bindings: [...quantities, ...productIds, ...quantities] }
}

/**
 * Stock ran short for a completing sale: which product, and how many are left. The field is the
 * quantity of the product's first line, in the order the lines were sent (items.N.quantity)
 */
async function refuseShortStock(trx: TransactionClientContract, perProduct: Map<number, number>, productIds: number[], items: (SaleItem | CartLine)[]): Promise<never> {
  const rows = await trx.from('products').whereIn('id', productIds).select('id', 'name', 'stock')
  const stockOf = new Map(rows.map((row) => [Number(row.id), row]))
  const productId = productIds.find((id) => Number(stockOf.get(id)?.stock ?? 0) < perProduct.get(id)!) ?? productIds[0]
  const product = stockOf.get(productId)
  const left = Math.max(0, Number(product?.stock ?? 0))
  throw new DomainError(`Not enough stock of "${product?.name}": ${left} left, ${perProduct.get(productId)} in this sale`, {
    status: 409,
    code: 'insufficient_stock',
    field: `items.${Math.max(0, [...items].sort((a, b) => a.position - b.position).findIndex((item) => item.productId === productId))}.quantity`,
  })
}

/** A new sale's lines: their INSERT, then the read of the ids the database gave them */
export function lineStatements(saleId: number | InsertedId, items: CartLine[]): Statement[] {
  return [
    insertStatement('sale_items', items.map((i) => ({ ...newSaleItemRow(i), sale_id: saleId }))),
    { sql: 'SELECT id, position FROM sale_items WHERE sale_id = ?', bindings: [saleId] },
  ]
}

/** The ids read back by #lineStatements, matched to the lines by position */
export function takeLineIds(items: CartLine[], read: StatementResult) {
  const byPosition = new Map(read.rows.map((row) => [Number(row.position), Number(row.id)]))
  for (const item of items) item.id = byPosition.get(item.position)!
}

/**
 * The store's register (its first one when none is named). Locked when a sale completes on it:
 * its numbers and hash chain move on under this lock (SQLite has one writer at a time anyway).
 */
export function registerStatement(trx: TransactionClientContract, storeId: number, registerId: number | null, lock: boolean): Statement {
  const byId = registerId !== null
  return {
    sql: `SELECT id, last_sale_number, last_sale_hash, open_shift_id, lease_device_id FROM registers WHERE store_id = ?${byId ? ' AND id = ?' : ''} ORDER BY id LIMIT 1${lock && trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''}`,
    bindings: byId ? [storeId, registerId] : [storeId],
  }
}
