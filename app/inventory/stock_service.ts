import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { affectedRows, inTransaction } from '#platform/db_transaction'
import { byProduct, changeStock, checkInteger, checkLines, checkText, clipText, field, FieldProblems, lockProducts, writeLedger } from '#inventory/stock_ledger'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { publish } from '#events/domain_events'
import { productsBySku } from '#catalog/sku'

/*
| The stock ledger's operations: receiving from a supplier, adjustments, transfers between
| stores (stocktakes: stocktake_service.ts). Each is one transaction that writes its document, its rows in
| stock_movements and the matching change of products.stock, so the on-hand figure always
| equals the ledger's sum. Products are locked in id order (as sales do) so concurrent
| operations queue instead of deadlocking. 'stock:changed' is published after the commit.
*/

export const MAX_COUNT = 1_000_000
export const MAX_UNIT_COST = 100_000_000
export const ADJUSTMENT_REASONS = ['damaged', 'lost', 'found', 'correction'] as const
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number]

export interface ReceiptInput {
  supplier: string
  reference?: string | null
  note?: string | null
  lines: { productId: number; quantity: number; unitCost: number }[]
}

export interface AdjustmentInput {
  reason: string
  note?: string | null
  lines: { productId: number; quantity: number }[]
}

export interface TransferInput {
  toStoreId: number
  note?: string | null
  lines: { productId: number; quantity: number }[]
}

function checkAdjustment(input: AdjustmentInput) {
  if (!ADJUSTMENT_REASONS.includes(input.reason as AdjustmentReason)) {
    throw field(`Choose a reason: ${ADJUSTMENT_REASONS.join(', ')}`, 'reason')
  }
  checkLines(input.lines)
  input.lines.forEach((line, i) => {
    // Signed, units added or taken off: "must be at least 1" said a negative one was refused too
    const name = `items.${i}.quantity`
    if (line.quantity === 0) throw field('An adjustment of 0 changes nothing: enter the units added (5) or taken off (-5)', name)
    if (Math.abs(line.quantity) > MAX_COUNT) {
      throw field(`The quantity of ${line.quantity} is not believable: at most ${MAX_COUNT.toLocaleString('en-US')} either way`, name, 'absurd_quantity')
    }
    checkInteger(line.quantity, name, -MAX_COUNT, MAX_COUNT, 'The quantity')
    if (line.quantity > 0 && ['damaged', 'lost'].includes(input.reason)) {
      throw field(`Stock ${input.reason} is taken off: enter a negative quantity`, `items.${i}.quantity`)
    }
    if (line.quantity < 0 && input.reason === 'found') throw field('Stock found is added: enter a positive quantity', `items.${i}.quantity`)
  })
  checkText(adjustmentNote(input), 'note', 'A note', true)
}

const adjustmentNote = (input: AdjustmentInput) => clipText(input.note?.trim() ?? '') || null

/** Each line's product is in the store and not archived (a receipt brings no stock into an archived one) */
function receivable(products: Map<number, any>, lines: { productId: number }[], problems: FieldProblems) {
  lines.forEach((line, i) => {
    const product = products.get(line.productId)
    if (!product) problems.add(field(`Product ${line.productId} is not in this store`, `items.${i}.product_id`, 'unknown_product'))
    else if (product.archived_at) {
      problems.add(field(`"${product.name}" is archived: restore it before receiving stock into it`, `items.${i}.product_id`, 'archived_product'))
    }
  })
}

export default class StockService {
  // ---------------------------------------------------------------- receiving

  /** Goods from a supplier: stock goes up and the product's cost becomes the last unit cost paid */
  /**
   * A delivery into stock. Every field's refusal is gathered and thrown at once (FieldErrors), into
   * `problems` when the form passes the ones it found itself (an unknown SKU, a cost not a number)
   */
  async receive(actor: Actor, input: ReceiptInput, problems = new FieldProblems()) {
    const supplier = (input.supplier ?? '').trim()
    if (!supplier) problems.add(field('Name the supplier', 'supplier'))
    else if (supplier.length > 120) problems.add(field('The supplier name is too long (120 characters at most)', 'supplier'))
    const reference = input.reference?.trim().slice(0, 80) || null
    const note = clipText(input.note?.trim() ?? '') || null
    problems.check(() => checkText(supplier, 'supplier', 'A supplier'))
    problems.check(() => checkText(reference, 'reference', 'A reference'))
    problems.check(() => checkText(note, 'note', 'A note', true))
    // Lines the form refused itself are not passed on: none left is not "add a product"
    if (input.lines.length || !problems.list.length) problems.check(() => checkLines(input.lines))
    input.lines.forEach((line, i) => {
      problems.check(() => checkInteger(line.quantity, `items.${i}.quantity`, 1, MAX_COUNT, 'The quantity received'))
      problems.check(() => checkInteger(line.unitCost, `items.${i}.unit_cost`, 0, MAX_UNIT_COST, 'The unit cost'))
    })
    // Read once before, to be said with the rest; checked again under the lock, where it counts
    if (input.lines.length) {
      const ids = input.lines.map((l) => l.productId).filter((id) => Number.isInteger(id) && id > 0)
      const rows = await db.from('products').whereIn('id', ids).where('store_id', actor.store.id).select('id', 'name', 'archived_at')
      receivable(new Map(rows.map((r) => [Number(r.id), r])), input.lines, problems)
    }
    problems.throwIfAny()

    const receiptId = await inTransaction(async (trx) => {
      const products = await lockProducts(trx, actor.store.id, input.lines.map((l) => l.productId))
      // Gathered anew on each try of the transaction (a retry after a deadlock)
      const locked = new FieldProblems(problems.rename)
      receivable(products, input.lines, locked)
      locked.throwIfAny()
      const now = dbTimestamp()
      const [id] = await trx.table('stock_receipts').insert({
        store_id: actor.store.id,
        supplier,
        reference,
        note,
        user_id: actor.user.id,
        created_at: now,
      })
      const receiptId = Number(id)
      await trx.insertQuery().table('stock_receipt_lines').multiInsert(
        input.lines.map((l) => ({ receipt_id: receiptId, product_id: l.productId, quantity: l.quantity, unit_cost: l.unitCost }))
      )
      for (const line of byProduct(input.lines)) {
        await trx.from('products').where('id', line.productId).update({
          stock: trx.raw('stock + ?', [line.quantity]),
          cost: line.unitCost,
          updated_at: now,
        })
      }
      await writeLedger(trx, actor, input.lines, 'receipt', 'receipt', receiptId, `From ${supplier}`)
      await recordAudit({ action: 'stock_received', storeId: actor.store.id, userId: actor.user.id, subjectType: 'stock_receipt', subjectId: receiptId, data: { supplier, lines: input.lines.length }, ip: actor.ip }, trx)
      return receiptId
    })
    publish('stock:changed', { storeId: actor.store.id, reason: 'receipt', productIds: input.lines.map((l) => l.productId) })
    return this.receipt(actor.store.id, receiptId)
  }

  async receipt(storeId: number, id: number) {
    const receipt = await db.from('stock_receipts').where({ id, store_id: storeId }).first()
    if (!receipt) throw notFound('The receipt')
    const lines = await db
      .from('stock_receipt_lines')
      .join('products', 'products.id', 'stock_receipt_lines.product_id')
      .where('receipt_id', id)
      .orderBy('stock_receipt_lines.id')
      .select('stock_receipt_lines.*', 'products.name', 'products.sku')
    return { ...receipt, lines }
  }

  // ---------------------------------------------------------------- adjustments

  /** Damaged, lost, found or a correction: signed quantities; stock may not go below zero unless the store allows it */
  async adjust(actor: Actor, input: AdjustmentInput) {
    const adjustmentId = await inTransaction((trx) => this.adjustWithin(trx, actor, input))
    publish('stock:changed', { storeId: actor.store.id, reason: 'adjustment', productIds: input.lines.map((l) => l.productId) })
    return { id: adjustmentId, reason: input.reason, note: adjustmentNote(input), lines: input.lines }
  }

  /**
   * An adjustment inside the caller's transaction (a product's edited stock figure:
   * product_update.ts), its document, stock, ledger rows and audit entry; the caller publishes
   * 'stock:changed' once it commits. Returns the adjustment's id.
   */
  async adjustWithin(trx: TransactionClientContract, actor: Actor, input: AdjustmentInput) {
    checkAdjustment(input)
    const note = adjustmentNote(input)
    const products = await lockProducts(trx, actor.store.id, input.lines.map((l) => l.productId))
    const now = dbTimestamp()
    const [id] = await trx.table('stock_adjustments').insert({ store_id: actor.store.id, reason: input.reason, note, user_id: actor.user.id, created_at: now })
    const adjustmentId = Number(id)
    for (const line of byProduct(input.lines)) {
      const index = input.lines.indexOf(line)
      const product = products.get(line.productId)
      if (!product) throw field(`Product ${line.productId} is not in this store`, `items.${index}.product_id`, 'unknown_product')
      await changeStock(trx, actor, line.productId, line.quantity, product.name, `items.${index}.quantity`)
    }
    await writeLedger(trx, actor, input.lines, 'adjustment', 'adjustment', adjustmentId, note ? `${input.reason}: ${note}` : input.reason)
    await recordAudit({ action: 'stock_adjusted', storeId: actor.store.id, userId: actor.user.id, subjectType: 'stock_adjustment', subjectId: adjustmentId, data: { reason: input.reason, lines: input.lines.map((l) => [l.productId, l.quantity]) }, ip: actor.ip }, trx)
    return adjustmentId
  }

  // ---------------------------------------------------------------- transfers

  /** Sends stock to another store: it leaves now (transfer_out) and is in transit until received there */
  async sendTransfer(actor: Actor, input: TransferInput) {
    if (!Number.isInteger(input.toStoreId) || input.toStoreId <= 0) throw field('Choose the store to send to', 'to_store_id')
    if (input.toStoreId === actor.store.id) throw field('A transfer goes to another store, not to this one', 'to_store_id', 'same_store')
    checkLines(input.lines)
    input.lines.forEach((line, i) => checkInteger(line.quantity, `items.${i}.quantity`, 1, MAX_COUNT, 'The quantity sent'))
    const note = clipText(input.note?.trim() ?? '') || null
    checkText(note, 'note', 'A note', true)

    const transferId = await inTransaction(async (trx) => {
      const destination = await trx.from('stores').where('id', input.toStoreId).first()
      if (!destination) throw field('This store does not exist', 'to_store_id', 'unknown_store')
      const products = await lockProducts(trx, actor.store.id, input.lines.map((l) => l.productId))
      const skus = [...products.values()].map((p) => p.sku)
      // The same SKU in the other store, whatever its case (app/catalog/sku.ts)
      const targets = await productsBySku(trx, input.toStoreId, skus, ['archived_at'])
      const targetBySku = new Map([...targets].map(([sku, row]) => [sku, Number(row.id)]))
      input.lines.forEach((line, i) => {
        const product = products.get(line.productId)
        if (!product) throw field(`Product ${line.productId} is not in this store`, `items.${i}.product_id`, 'unknown_product')
        // Stock landing on a product the other store took off sale is stock nobody can sell there.
        // The sender need not work in that store: one answer whatever the reason there (no such
        // SKU, or archived), naming only the sender's own product, not the store or its catalog
        const target = targets.get(product.sku)
        if (!target || target.archived_at) {
          throw field(`The receiving store has no product on sale with the SKU ${product.sku} ("${product.name}"): ask them to add it, or put theirs back on sale, before sending it`, `items.${i}.product_id`, 'no_matching_sku')
        }
      })
      const now = dbTimestamp()
      const [id] = await trx.table('stock_transfers').insert({
        from_store_id: actor.store.id,
        to_store_id: input.toStoreId,
        status: 'in_transit',
        note,
        sent_by: actor.user.id,
        sent_at: now,
      })
      const transferId = Number(id)
      await trx.insertQuery().table('stock_transfer_lines').multiInsert(
        input.lines.map((l) => {
          const product = products.get(l.productId)!
          return { transfer_id: transferId, product_id: l.productId, to_product_id: targetBySku.get(product.sku)!, sku: product.sku, name: product.name, quantity_sent: l.quantity, quantity_received: null }
        })
      )
      for (const line of byProduct(input.lines)) {
        const index = input.lines.indexOf(line)
        await changeStock(trx, actor, line.productId, -line.quantity, products.get(line.productId)!.name, `items.${index}.quantity`)
      }
      await writeLedger(trx, actor, input.lines.map((l) => ({ ...l, quantity: -l.quantity })), 'transfer_out', 'transfer', transferId, `To ${destination.name}`)
      await recordAudit({ action: 'transfer_sent', storeId: actor.store.id, userId: actor.user.id, subjectType: 'stock_transfer', subjectId: transferId, data: { to: input.toStoreId }, ip: actor.ip }, trx)
      return transferId
    })
    publish('stock:changed', { storeId: actor.store.id, reason: 'transfer_out', productIds: input.lines.map((l) => l.productId) })
    return this.transfer(actor.store.id, transferId)
  }

  /**
   * The receiving store counts what arrived. Each line's received quantity (the quantity sent
   * when not given) goes into the matching product; a difference stays recorded on the line.
   */
  async receiveTransfer(actor: Actor, transferId: number, received: { lineId: number; quantity: number }[] = []) {
    const seen = new Set<number>()
    received.forEach((r, i) => {
      // A line named twice was received once, at its first quantity, the second dropped without a word
      if (seen.has(r.lineId)) throw field('This line is listed twice', `items.${i}.line_id`, 'duplicate_line')
      seen.add(r.lineId)
      checkInteger(r.quantity, `items.${i}.quantity_received`, 0, MAX_COUNT, 'The quantity received')
    })
    const productIds = await inTransaction(async (trx) => {
      const transfer = await trx.from('stock_transfers').where({ id: transferId, to_store_id: actor.store.id }).forUpdate().first()
      if (!transfer) throw notFound('The transfer')
      if (transfer.status !== 'in_transit') throw new DomainError('This transfer was already received', { status: 409, code: 'already_received' })
      const lines = await trx.from('stock_transfer_lines').where('transfer_id', transferId).orderBy('id')
      received.forEach((r, i) => {
        if (!lines.some((l) => Number(l.id) === r.lineId)) throw field('This line is not part of the transfer', `items.${i}.line_id`)
      })
      const quantities = lines.map((line) => ({
        line,
        productId: Number(line.to_product_id),
        quantity: received.find((r) => r.lineId === Number(line.id))?.quantity ?? Number(line.quantity_sent),
      }))
      const locked = await lockProducts(trx, actor.store.id, quantities.map((q) => q.productId))
      // A product archived here since the transfer was sent takes none of it: 0 received is allowed,
      // so the rest of the transfer can come in (a difference recorded on that line)
      for (const q of quantities) {
        const product = locked.get(q.productId)
        if (!product?.archived_at || q.quantity === 0) continue
        const index = received.findIndex((r) => r.lineId === Number(q.line.id))
        throw field(
          `"${product.name}" (SKU ${q.line.sku}) is archived in this store: restore it to receive stock into it, or receive 0 of this line`,
          index >= 0 ? `items.${index}.line_id` : 'items',
          'archived_product'
        )
      }
      const now = dbTimestamp()
      for (const q of quantities) {
        await trx.from('stock_transfer_lines').where('id', q.line.id).update({ quantity_received: q.quantity })
      }
      const moved = quantities.filter((q) => q.quantity !== 0)
      for (const q of byProduct(moved)) {
        await trx.from('products').where('id', q.productId).update({ stock: trx.raw('stock + ?', [q.quantity]), updated_at: now })
      }
      const from = await trx.from('stores').where('id', transfer.from_store_id).select('name').first()
      await writeLedger(trx, actor, moved, 'transfer_in', 'transfer', transferId, `From ${from?.name ?? 'another store'}`)
      await trx.from('stock_transfers').where('id', transferId).update({ status: 'received', received_by: actor.user.id, received_at: now })
      const differences = quantities.filter((q) => q.quantity !== Number(q.line.quantity_sent)).map((q) => ({ sku: q.line.sku, sent: Number(q.line.quantity_sent), received: q.quantity }))
      await recordAudit({ action: 'transfer_received', storeId: actor.store.id, userId: actor.user.id, subjectType: 'stock_transfer', subjectId: transferId, data: { differences }, ip: actor.ip }, trx)
      return moved.map((q) => q.productId)
    })
    if (productIds.length) publish('stock:changed', { storeId: actor.store.id, reason: 'transfer_in', productIds })
    return this.transfer(actor.store.id, transferId)
  }

  /** A transfer as either store sees it */
  async transfer(storeId: number, id: number) {
    const transfer = await db
      .from('stock_transfers')
      .join('stores as f', 'f.id', 'stock_transfers.from_store_id')
      .join('stores as t', 't.id', 'stock_transfers.to_store_id')
      .where('stock_transfers.id', id)
      .where((q) => q.where('from_store_id', storeId).orWhere('to_store_id', storeId))
      .select('stock_transfers.*', 'f.name as from_store_name', 't.name as to_store_name')
      .first()
    if (!transfer) throw notFound('The transfer')
    const lines = await db.from('stock_transfer_lines').where('transfer_id', id).orderBy('id')
    return { ...transfer, lines }
  }

  async transfers(storeId: number) {
    return db
      .from('stock_transfers')
      .join('stores as f', 'f.id', 'stock_transfers.from_store_id')
      .join('stores as t', 't.id', 'stock_transfers.to_store_id')
      .where((q) => q.where('from_store_id', storeId).orWhere('to_store_id', storeId))
      .orderBy('stock_transfers.id', 'desc')
      .limit(100)
      .select('stock_transfers.*', 'f.name as from_store_name', 't.name as to_store_name')
  }

  /**
   * 404s looked up before a request's body or query is read, so that a missing record is a 404
   * whatever was sent: the transfer this store receives (one it sent is not its to receive), the
   * product whose ledger is read
   */
  async incomingTransferMustExist(storeId: number, transferId: number) {
    if (!(await db.from('stock_transfers').where({ id: transferId, to_store_id: storeId }).select('id').first())) throw notFound('The transfer')
  }

  async productMustExist(storeId: number, productId: number) {
    if (!(await db.from('products').where({ id: productId, store_id: storeId }).select('id').first())) throw notFound('The product')
  }

  // ---------------------------------------------------------------- reading the ledger

  /** A product's movements, newest first, with the balance after each */
  async movements(storeId: number, productId: number, page = 1, perPage = 50) {
    const product = await db.from('products').where({ id: productId, store_id: storeId }).first()
    if (!product) throw notFound('The product')
    const rows = await db
      .from('stock_movements')
      .leftJoin('users', 'users.id', 'stock_movements.user_id')
      .leftJoin('sales', 'sales.id', 'stock_movements.sale_id')
      .where('stock_movements.product_id', productId)
      .orderBy('stock_movements.id', 'desc')
      .select('stock_movements.*', 'users.name as user_name', 'sales.number as sale_number')
      .paginate(page, perPage)
    // The balance after the newest row on this page is the stock minus what came later
    const first = rows.all()[0]
    const later = first
      ? await db.from('stock_movements').where('product_id', productId).where('id', '>', first.id).sum('quantity as total').first()
      : { total: 0 }
    let balance = Number(product.stock) - Number(later?.total ?? 0)
    const data = rows.all().map((row: any) => {
      const entry = { ...row, balance }
      balance -= Number(row.quantity)
      return entry
    })
    return { product, data, meta: rows.getMeta() }
  }

  async setThreshold(storeId: number, productId: number, threshold: number) {
    checkInteger(threshold, 'low_stock_threshold', 0, MAX_COUNT, 'The low-stock threshold')
    const updated = await db.from('products').where({ id: productId, store_id: storeId }).update({ low_stock_threshold: threshold })
    if (!affectedRows(updated)) throw notFound('The product')
  }
}
