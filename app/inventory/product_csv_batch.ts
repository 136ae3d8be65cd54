import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type Store from '#models/store'
import type User from '#models/user'
import { searchWords } from '#catalog/catalog_service'
import { categoryIdNamed } from '#catalog/category_service'
import { productsBySku } from '#catalog/sku'
import { nameKey } from '#core/name_key'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { runStatements, type Statement, type StatementResult } from '#platform/sql_batch'
import type { ImportRow, RowError } from '#inventory/product_csv_format'

/*
| Writing one batch of a product CSV import (product_csv_service.ts), in one transaction: the new
| SKUs, the others updated, their barcodes, search words and stock ledger, and the batch's audit
| entry. Every stock figure the file changes is a movement of the ledger naming the import
| (document product_import): the opening stock of a product it creates (reason initial), and on
| a product that was there, reason import, so a manager reviewing shrinkage tells a file's figure
| from a counted adjustment.
| Each batch's transaction writes the audit entry (products_imported) of what that batch wrote, so
| whatever stops an import (a failed batch, a crash or kill -9 between two batches) every committed
| stock change is in exactly one entry, and the entry is never written without its changes. One
| entry for the whole file, written by the last batch, left the batches before it unaudited when
| the process died, and an entry cannot be written later (an audit log records; it is not edited).
| A file of one batch is one entry, as before; a longer one is one entry per part (part N, the
| file's rows it covered, its figures), the last adding the whole file's totals.
| The same transaction saves the import's progress (its rows done and counts) and, with the last
| batch, its end (done, the rows left out): the job row always says what committed. Saved after the
| commit, a crash or a lost connection between the two left it a batch behind, and an import whose
| last batch had committed was later taken for dead and marked failed.
*/

/** The import a batch belongs to: its row (product_imports) and the file's name */
export interface ImportRef {
  id: number
  fileName: string
}

export interface StockChange {
  sku: string
  from: number
  to: number
}

/** What an import's batches wrote so far: the counts of the last part's `whole` */
export interface ImportTotals {
  created: number
  updated: number
  stockChanges: number
}

/**
 * An import's progress, as its job row shows it: the rows done (written by a committed batch, or
 * refused when read), the totals so far, the rows left out and the first of their errors
 */
export interface ImportProgress extends ImportTotals {
  processed: number
  errorRows: number
  errors: RowError[]
}

/** Most row errors an import keeps to show (the count is of all) */
export const KEPT_ERRORS = 1000

/** Which batch of the import this is: its number from 1, and whether it is the import's last */
export interface ImportPart {
  number: number
  last: boolean
}

/** Most stock changes an audit entry lists (its data is a TEXT of 64 KB on MariaDB); the count is of all */
const LISTED_STOCK_CHANGES = 400

export function noProgress(): ImportProgress {
  return { processed: 0, created: 0, updated: 0, stockChanges: 0, errorRows: 0, errors: [] }
}

/** A row refused when read (the batches never see it): done, and left out */
export function refuseRow(progress: ImportProgress, errors: RowError[]) {
  progress.processed++
  progress.errorRows++
  progress.errors.push(...errors.slice(0, Math.max(0, KEPT_ERRORS - progress.errors.length)))
}

/** The batch's audit entry, in its transaction: its own figures, and on the last of several parts the file's */
async function auditPart(trx: TransactionClientContract, store: Store, user: User, job: ImportRef, part: ImportPart, rows: ImportRow[], own: ImportTotals, stock: StockChange[], whole: ImportTotals) {
  const figures = { created: own.created, updated: own.updated, stockChanges: own.stockChanges, stock: stock.slice(0, LISTED_STOCK_CHANGES) }
  const single = part.number === 1 && part.last
  const parted = { part: part.number, rows: rows.length ? [rows[0].row, rows[rows.length - 1].row] : [], ...figures, ...(part.last ? { whole: { parts: part.number, created: whole.created, updated: whole.updated, stockChanges: whole.stockChanges } } : {}) }
  await recordAudit(
    {
      action: 'products_imported',
      storeId: store.id,
      userId: user.id,
      subjectType: 'product_import',
      subjectId: job.id,
      data: { file: job.fileName, ...(single ? figures : parted) },
    },
    trx
  )
}

/**
 * Writes a batch of rows, its audit entry and the import's progress in one transaction (the last
 * batch ends the import: done); answers its written products and the import's progress after it,
 * for the caller to keep once committed. The last batch may hold no rows (a file of none).
 */
export async function writeBatch(store: Store, user: User, job: ImportRef, rows: ImportRow[], taxClasses: Set<string>, progress: ImportProgress, part: ImportPart) {
  return inTransaction(async (trx) => {
    const now = dbTimestamp()
    const errors: RowError[] = []
    const existing = await knownSkus(trx, store.id, rows, true)
    const clashes = await barcodeClashes(trx, store.id, rows)
    errors.push(...clashes)
    const clashed = new Set(clashes.map((clash) => clash.row))
    const good = rows.filter((r) => !clashed.has(r.row) && (!r.taxClass || taxClasses.has(r.taxClass)))
    const categoryIds = await categories(trx, store.id, good)
    const fresh = good.filter((r) => !existing.has(r.sku))
    const updates = good.filter((r) => existing.has(r.sku))
    const categoryOf = (r: ImportRow) => (r.category ? categoryIds.get(nameKey(r.category)) : null)

    for (let i = 0; i < fresh.length; i += 200) {
      await trx.insertQuery().table('products').multiInsert(
        fresh.slice(i, i + 200).map((r) => ({
          store_id: store.id,
          name: r.name,
          sku: r.sku,
          price: r.price,
          cost: r.cost ?? 0,
          category_id: categoryOf(r),
          tax_class: r.taxClass || 'standard',
          stock: r.stock ?? 0,
          low_stock_threshold: r.lowStockThreshold ?? 5,
          active: r.active ?? true,
          created_at: now,
          updated_at: now,
        }))
      )
    }
    const ids = new Map<string, number>()
    for (let i = 0; i < fresh.length; i += 500) {
      const created = await trx.from('products').where('store_id', store.id).whereIn('sku', fresh.slice(i, i + 500).map((r) => r.sku)).select('id', 'sku')
      for (const c of created) ids.set(c.sku, Number(c.id))
    }
    const movement = (productId: number, quantity: number, reason: 'initial' | 'import') => ({
      store_id: store.id,
      product_id: productId,
      quantity,
      reason,
      user_id: user.id,
      note: `CSV import ${job.fileName}`.slice(0, 255),
      document_type: 'product_import',
      document_id: job.id,
      created_at: now,
    })
    const movements: Record<string, unknown>[] = []
    const stockChanges: StockChange[] = []
    const updateStatements: Statement[] = []
    // Products whose name the row keeps: their search words are already the name's
    const renamed: ImportRow[] = []
    for (const r of updates) {
      const before = existing.get(r.sku)!
      const id = Number(before.id)
      ids.set(r.sku, id)
      if (r.name !== before.name) renamed.push(r)
      const changes: Record<string, unknown> = { name: r.name, price: r.price, updated_at: now }
      if (r.cost !== null) changes.cost = r.cost
      if (r.category !== null) changes.category_id = categoryOf(r) ?? null
      if (r.taxClass) changes.tax_class = r.taxClass
      if (r.lowStockThreshold !== null) changes.low_stock_threshold = r.lowStockThreshold
      if (r.active !== null) changes.active = r.active
      if (r.stock !== null && r.stock !== Number(before.stock)) {
        changes.stock = r.stock
        movements.push(movement(id, r.stock - Number(before.stock), 'import'))
        stockChanges.push({ sku: r.sku, from: Number(before.stock), to: r.stock })
      }
      const columns = Object.keys(changes)
      updateStatements.push({ sql: `UPDATE products SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, bindings: [...columns.map((c) => changes[c]), id] })
    }
    // Sent together (sql_batch.ts): one by one, a re-import's thousand UPDATEs a batch were a round
    // trip each on MariaDB, 0.7 ms apiece (a 100,000-row re-import took over a minute)
    await runInGroups(trx, updateStatements)
    for (const r of fresh) {
      if (!r.stock) continue
      movements.push(movement(ids.get(r.sku)!, r.stock, 'initial'))
      stockChanges.push({ sku: r.sku, from: 0, to: r.stock })
    }
    for (let i = 0; i < movements.length; i += 500) await trx.insertQuery().table('stock_movements').multiInsert(movements.slice(i, i + 500))

    // Barcodes (when the column was given), and the search words of every product created or
    // renamed: a product whose name the row keeps has its name's words already
    const withCodes = good.filter((r) => r.barcodes !== null)
    for (let i = 0; i < withCodes.length; i += 500) {
      await trx.from('product_barcodes').whereIn('product_id', withCodes.slice(i, i + 500).map((r) => ids.get(r.sku)!)).delete()
    }
    const codeRows = withCodes.flatMap((r) => r.barcodes!.map((code) => ({ store_id: store.id, product_id: ids.get(r.sku), code })))
    for (let i = 0; i < codeRows.length; i += 500) await trx.insertQuery().table('product_barcodes').multiInsert(codeRows.slice(i, i + 500))
    const renamedIds = renamed.map((r) => ids.get(r.sku)!)
    for (let i = 0; i < renamedIds.length; i += 500) await trx.from('product_words').whereIn('product_id', renamedIds.slice(i, i + 500)).delete()
    const wordRows = [...fresh, ...renamed].flatMap((r) => searchWords(r.name).map((word) => ({ store_id: store.id, word, product_id: ids.get(r.sku) })))
    for (let i = 0; i < wordRows.length; i += 500) await trx.insertQuery().table('product_words').multiInsert(wordRows.slice(i, i + 500))

    // New figures: the caller keeps them once the transaction has committed (a retried one starts again from `progress`)
    const own = { created: fresh.length, updated: updates.length, stockChanges: stockChanges.length }
    const after: ImportProgress = {
      processed: progress.processed + rows.length,
      created: progress.created + own.created,
      updated: progress.updated + own.updated,
      stockChanges: progress.stockChanges + own.stockChanges,
      errorRows: progress.errorRows + errors.length,
      errors: [...progress.errors, ...errors.slice(0, Math.max(0, KEPT_ERRORS - progress.errors.length))],
    }
    await auditPart(trx, store, user, job, part, rows, own, stockChanges, after)
    await saveProgress(trx, job, after, part.last)
    return { productIds: good.map((r) => ids.get(r.sku)!), progress: after }
  })
}

/**
 * The import's progress, in the batch's transaction. Only a running import's: one another server
 * took for dead and marked failed (an hour without progress) is not written on, nor made done
 */
async function saveProgress(trx: TransactionClientContract, job: ImportRef, progress: ImportProgress, last: boolean) {
  const saved = await trx
    .from('product_imports')
    .where({ id: job.id, status: 'running' })
    .update({
      processed_rows: progress.processed,
      created_rows: progress.created,
      updated_rows: progress.updated,
      error_rows: progress.errorRows,
      ...(last ? { status: 'done', errors: JSON.stringify(progress.errors) } : {}),
      updated_at: dbTimestamp(),
    })
  if (!Number(Array.isArray(saved) ? saved[0] : saved)) throw new Error(`Product import ${job.id} is no longer running`)
}

/** The rows' categories by their name's key: the store's of that name, else new (category_service.ts) */
async function categories(trx: TransactionClientContract, storeId: number, rows: ImportRow[]) {
  const ids = new Map<string, number>()
  for (const row of rows) {
    if (!row.category || ids.has(nameKey(row.category))) continue
    ids.set(nameKey(row.category), await categoryIdNamed(trx, storeId, row.category))
  }
  return ids
}

/** Rows with a barcode that another product of the store (another SKU) already has */
export async function barcodeClashes(client: QueryClientContract, storeId: number, rows: ImportRow[]): Promise<RowError[]> {
  const codes = rows.flatMap((r) => r.barcodes ?? [])
  const taken = new Map<string, string>()
  for (let i = 0; i < codes.length; i += 500) {
    const found = await client.from('product_barcodes').join('products', 'products.id', 'product_barcodes.product_id').where('product_barcodes.store_id', storeId).whereIn('product_barcodes.code', codes.slice(i, i + 500)).select('product_barcodes.code', 'products.sku')
    for (const f of found) taken.set(f.code, f.sku)
  }
  const clashes: RowError[] = []
  for (const r of rows) {
    const clash = (r.barcodes ?? []).find((code) => taken.has(code) && taken.get(code) !== r.sku)
    if (clash) clashes.push({ row: r.row, column: 'barcodes', message: `Barcode ${clash} already belongs to the product with SKU ${taken.get(clash)}` })
  }
  return clashes
}

/**
 * The store's products the rows name, by their SKU as stored; a row naming one in another case
 * (app/catalog/sku.ts) is given the stored spelling: it updates that product, whose SKU stays
 */
export async function knownSkus(client: QueryClientContract, storeId: number, rows: ImportRow[], forUpdate = false) {
  const found = await productsBySku(client, storeId, rows.map((r) => r.sku), ['stock', 'name'], { forUpdate })
  for (const r of rows) r.sku = found.get(r.sku)?.sku ?? r.sku
  return new Map([...found.values()].map((row) => [String(row.sku), row]))
}

/**
 * The statements in order, 200 per round trip on MariaDB (a batch's thousand UPDATEs in five
 * packets, well under max_allowed_packet); one result per statement
 */
async function runInGroups(trx: TransactionClientContract, statements: Statement[]) {
  const results: StatementResult[] = []
  for (let i = 0; i < statements.length; i += 200) results.push(...(await runStatements(trx, statements.slice(i, i + 200))))
  return results
}
