import { rm } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { errors as vineErrors } from '@vinejs/vine'
import type Store from '#models/store'
import type User from '#models/user'
import { skuKey } from '#catalog/sku'
import { checkBarcode } from '#core/barcode'
import { minorToDecimal } from '#core/money'
import { priceTooHigh, typedPrice } from '#catalog/typed_price'
import { productFormValidator } from '#validators/catalog'
import { SINGLE_LINE_TEXT, SKU_TEXT_MESSAGE, typedNumber } from '#validators/fields'
import { withoutInvisible } from '#core/visible_text'
import { dbTimestamp } from '#platform/db_time'
import { MAX_COUNT } from '#inventory/stock_service'
import { publish } from '#events/domain_events'
import { faultPoint } from '#platform/fault_injection'
import { expireUnrunPreviews, failDeadImports, markImportFailed } from '#inventory/product_import_expiry'
import { barcodeClashes, KEPT_ERRORS, knownSkus, noProgress, refuseRow, writeBatch, type ImportRef } from '#inventory/product_csv_batch'
import { NotAProductCsv, readRows, REQUIRED_COLUMNS, type ImportRow, type RowError } from '#inventory/product_csv_format'

/*
| Importing products from CSV (the file's format: product_csv_format.ts; the export:
| product_csv_export.ts). An import is checked whole first
| (a preview naming each bad row and column, nothing written), then written: every valid row
| creates or updates the product with that SKU, a batch of rows per transaction (a file of
| 100,000 rows does not hold one transaction's locks for its whole length), and the rest are
| reported (the batch's writes, its stock ledger and its audit entry: product_csv_batch.ts).
| Rows pass the back-office form's validator and the catalog's barcode check, so a CSV row and
| the form accept the same products.
*/

const BATCH_SIZE = 1000

export default class ProductCsvService {
  // ---------------------------------------------------------------- import

  async createImport(store: Store, user: User, fileName: string, path: string) {
    await expireUnrunPreviews()
    await failDeadImports()
    const now = dbTimestamp()
    const [id] = await db.table('product_imports').insert({
      store_id: store.id,
      user_id: user.id,
      file_name: fileName.slice(0, 200),
      path,
      status: 'checking',
      created_at: now,
      updated_at: now,
    })
    return Number(id)
  }

  async find(storeId: number, id: number) {
    let job = await db.from('product_imports').where({ id, store_id: storeId }).first()
    if (job?.status === 'running' && (await failDeadImports(new Date(), id))) job = await db.from('product_imports').where({ id, store_id: storeId }).first()
    if (!job) return null
    return { ...job, errors: job.errors ? (JSON.parse(job.errors) as RowError[]) : [] }
  }

  /** The preview: every row checked, nothing written. Counts what would be created and updated. */
  async preview(store: Store, importId: number) {
    const job = await db.from('product_imports').where({ id: importId, store_id: store.id }).first()
    const checker = await this.#checker(store)
    const errors: RowError[] = []
    let total = 0
    let valid = 0
    let existing = 0
    let errorRows = 0
    // Valid rows are checked against the store 500 at a time: a barcode another product has
    // refuses the row at the import, so the preview says so too
    let pending: ImportRow[] = []
    const settle = async () => {
      const known = await knownSkus(db.connection(), store.id, pending)
      const clashes = await barcodeClashes(db.connection(), store.id, pending)
      errorRows += clashes.length
      valid -= clashes.length
      // The first rows' errors are kept: a clash may come before invalid rows found after it
      errors.push(...clashes)
      errors.sort((a, b) => a.row - b.row)
      errors.length = Math.min(errors.length, KEPT_ERRORS)
      const clashed = new Set(clashes.map((clash) => clash.row))
      existing += pending.filter((r) => !clashed.has(r.row) && known.has(r.sku)).length
      pending = []
    }
    try {
      for await (const { row, values } of readRows(job.path)) {
        total++
        const result = await checker.check(row, values)
        if (result.errors.length) {
          errorRows++
          if (errors.length < KEPT_ERRORS) errors.push(...result.errors.slice(0, KEPT_ERRORS - errors.length))
          continue
        }
        valid++
        pending.push(result.row!)
        if (pending.length >= 500) await settle()
      }
      await settle()
    } catch (error) {
      if (!(error instanceof NotAProductCsv)) logger.error({ err: error }, 'CSV preview failed')
      await this.#finish(importId, 'failed', { errors: JSON.stringify([{ row: 1, column: '', message: error instanceof NotAProductCsv ? error.message : 'The file could not be read as CSV' }]) })
      await rm(job.path, { force: true })
      return
    }
    await this.#finish(importId, 'previewed', {
      total_rows: total,
      error_rows: errorRows,
      created_rows: valid - existing,
      updated_rows: existing,
      errors: JSON.stringify(errors),
    })
  }

  /**
   * Writes every valid row, a batch per transaction, checking each row again (the store may have
   * changed since the preview). Progress is kept on the job row for the page to show.
   */
  async run(store: Store, user: User, importId: number) {
    const claimed = await db.from('product_imports').where({ id: importId, store_id: store.id, status: 'previewed' }).update({ status: 'running', processed_rows: 0, created_rows: 0, updated_rows: 0, error_rows: 0, updated_at: dbTimestamp() })
    if (!Number(Array.isArray(claimed) ? claimed[0] : claimed)) return false
    const job = await db.from('product_imports').where('id', importId).first()
    // Runs after the answer: the page follows its progress
    setImmediate(() => {
      this.#write(store, user, { id: importId, fileName: job.file_name }, job.path).catch(async (error) => {
        logger.error({ err: error }, 'CSV import failed')
        await markImportFailed(importId)
      })
    })
    return true
  }

  async #write(store: Store, user: User, job: ImportRef, path: string) {
    const checker = await this.#checker(store)
    let progress = noProgress()
    const touched: number[] = []
    let batch: ImportRow[] = []
    let parts = 0
    // A full batch waits for the next valid row before it is written: the last batch's audit entry
    // carries the whole file's totals, and which one is last is known only then (or at the file's end)
    let full: ImportRow[] | null = null
    const flush = async (last: boolean) => {
      const rows = full ?? batch
      if (full) full = null
      else batch = []
      if (!rows.length && !last) return
      // Its rows, audit entry and the job's progress (on the last, done) commit together
      const outcome = await writeBatch(store, user, job, rows, checker.taxClasses, progress, { number: ++parts, last })
      faultPoint('after_import_batch')
      progress = outcome.progress
      if (touched.length <= 500) touched.push(...outcome.productIds)
    }
    // A failure (here or in a batch) writes no audit entry: each committed batch wrote its own, in
    // its transaction, and the batches written before it stay written (the job is marked failed)
    for await (const { row, values } of readRows(path)) {
      const result = await checker.check(row, values)
      if (result.errors.length) {
        refuseRow(progress, result.errors)
        continue
      }
      if (full) await flush(false)
      batch.push(result.row!)
      if (batch.length >= BATCH_SIZE) [full, batch] = [batch, []]
    }
    await flush(true)
    await rm(path, { force: true })
    publish('stock:changed', { storeId: store.id, reason: 'import', productIds: touched.length > 500 ? new Array(501).fill(0) : touched })
  }

  async #finish(importId: number, status: string, fields: Record<string, unknown>) {
    await db.from('product_imports').where('id', importId).update({ status, ...fields, updated_at: dbTimestamp() })
  }

  /** Checks one row as the product form would, plus what only a file can get wrong (duplicates) */
  async #checker(store: Store) {
    const taxClasses = new Set<string>((await db.from('tax_rates').where('store_id', store.id).select('tax_class')).map((r) => r.tax_class))
    const skuRows = new Map<string, number>()
    const codeRows = new Map<string, number>()
    const check = async (row: number, values: Record<string, any>): Promise<{ errors: RowError[]; row?: ImportRow }> => {
      const errors: RowError[] = []
      const add = (column: string, message: string) => errors.push({ row, column, message })
      const text = (column: string) => (typeof values[column] === 'string' ? values[column].trim() : '')
      // A spreadsheet cell may hold a line break: a name and a category are one line (a break in a
      // name printed a line of its own on receipts), so the lines of the cell are joined by a space;
      // and loses the invisible characters it does not show, as a typed name does (nameText)
      const line = (column: string) => withoutInvisible(text(column).replace(/\s*[\r\n]+\s*/g, ' ')).trim()
      if (values.__parsed_extra) add('', `This row has more fields than the header (${Object.keys(values).length - 1 + values.__parsed_extra.length})`)
      // A needed field the row ends before is one problem, named once: the form's rules below
      // said it again of the empty value ("Enter a price" after "This row has no price field")
      const missing = new Set(REQUIRED_COLUMNS.filter((column) => values[column] === undefined))
      for (const column of missing) add(column, `This row has no ${column} field (fewer fields than the header)`)

      const barcodes = text('barcodes') ? [...new Set(text('barcodes').split(/[\s|,;]+/).filter(Boolean))] : []
      const stockText = text('stock')
      try {
        await productFormValidator.validate({
          name: line('name'),
          sku: text('sku'),
          price: text('price'),
          cost: text('cost') || null,
          barcodes: text('barcodes') || null,
          tax_class: text('tax_class') || 'standard',
          // Plain digits, as a form's number (docs/rules.md): Number() read "1e3" as 1000 units
          stock: stockText === '' ? null : typedNumber(stockText),
        })
      } catch (error) {
        if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
        for (const m of error.messages as any[]) if (!missing.has(m.field)) add(m.field, this.#message(m.field, m.rule, values[m.field]))
      }
      // Every column's problem is listed at once, as the import page promises: a column the form's
      // rules refused is not checked again (the rest of a row with a bad name was not checked at all)
      const refused = new Set(errors.map((e) => e.column))
      const checked = (column: string, message: string) => refused.has(column) || add(column, message)

      const sku = text('sku')
      const read = (field: 'price' | 'cost', example: number) => {
        const amount = typedPrice(text(field), store.currency)
        if (amount === 'too_high') checked(field, priceTooHigh(field, store.currency))
        if (amount === null) checked(field, `"${text(field)}" is not a ${field} like ${minorToDecimal(example, store.currency)}`)
        return typeof amount === 'number' ? amount : null
      }
      const price = read('price', 1299)
      const cost = text('cost') ? read('cost', 450) : null
      const stock = stockText === '' ? null : typedNumber(stockText)
      if (stock !== null && stock < 0) checked('stock', 'Stock cannot be negative')
      const thresholdText = text('low_stock_threshold')
      const threshold = thresholdText === '' ? null : typedNumber(thresholdText)
      if (threshold !== null && (!Number.isInteger(threshold) || threshold < 0 || threshold > MAX_COUNT)) checked('low_stock_threshold', `"${thresholdText}" is not a whole number from 0 to ${MAX_COUNT}`)
      const taxClass = text('tax_class') || null
      if (taxClass && !taxClasses.has(taxClass)) checked('tax_class', `Unknown tax class "${taxClass.slice(0, 40)}": use one of ${[...taxClasses].join(', ')}`)
      const activeText = text('active').toLowerCase()
      let active: boolean | null = null
      if (activeText) {
        if (['yes', 'y', 'true', '1', 'active'].includes(activeText)) active = true
        else if (['no', 'n', 'false', '0', 'inactive'].includes(activeText)) active = false
        else checked('active', `"${activeText.slice(0, 20)}" is not yes or no`)
      }
      const category = line('category')
      if (category.length > 80) checked('category', 'A category name has at most 80 characters')
      else if (!SINGLE_LINE_TEXT.test(category)) checked('category', 'A category name has no control characters or text-direction overrides')
      if (barcodes.length > 10) checked('barcodes', 'A product has at most 10 barcodes')
      for (const code of barcodes) {
        const result = checkBarcode(code)
        if (!result.valid) checked('barcodes', `Barcode ${code.slice(0, 40)} ${result.reason}`)
        else if (codeRows.has(code) && codeRows.get(code) !== row) checked('barcodes', `Barcode ${code} is also on row ${codeRows.get(code)}`)
      }
      // The same SKU in another case is the same product (app/catalog/sku.ts)
      if (skuRows.has(skuKey(sku))) checked('sku', `SKU ${sku} is also on row ${skuRows.get(skuKey(sku))}`)
      if (errors.length) return { errors }
      skuRows.set(skuKey(sku), row)
      for (const code of barcodes) codeRows.set(code, row)
      return {
        errors,
        row: {
          row,
          sku,
          name: line('name'),
          barcodes: values.barcodes === undefined ? null : barcodes,
          category: values.category === undefined ? null : category,
          price: price!,
          cost,
          taxClass,
          stock,
          lowStockThreshold: threshold,
          active,
        },
      }
    }
    return { check, taxClasses }
  }

  #message(field: string, rule: string, value: unknown) {
    const shown = String(value ?? '').slice(0, 40)
    if (rule === 'required' || (rule === 'minLength' && !shown)) return `${field} is required`
    if (field === 'price' || field === 'cost') return `"${shown}" is not an amount like 12.99`
    if (field === 'stock') return `"${shown}" is not a whole number of units (at most 1,000,000)`
    if (field === 'sku' && rule === 'regex') return SKU_TEXT_MESSAGE
    if (rule === 'maxLength') return `${field} is too long`
    return `"${shown}" is not a valid ${field}`
  }
}
