import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Product from '#models/product'
import Category from '#models/category'
import Store from '#models/store'
import type User from '#models/user'
import { DomainError } from '#exceptions/domain_error'
import { checkBarcode } from '#core/barcode'
import { searchOperators } from '#core/search_text'
import { categoryIdNamed } from '#catalog/category_service'
import { exactSkuFirst, skuEquals, skuPrefix, skuStartsWith } from '#catalog/sku'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { MAX_UNIT_PRICE } from '#core/money'
import { priceTooHigh } from '#catalog/typed_price'
import { modelFromRow, runStatements, type Statement, type StatementResult } from '#platform/sql_batch'
import db from '@adonisjs/lucid/services/db'

/*
| Products and categories of a store: the scan lookup of the till, search as you type,
| and saving a product with its barcodes and search words in one transaction.
*/

export interface ProductInput {
  name: string
  sku: string
  barcodes?: string[]
  /** Where the barcodes were sent: one field (barcode, the default) or a list (barcodes.N) */
  barcodesField?: 'barcode' | 'barcodes'
  price: number
  cost?: number | null
  categoryId?: number | null
  /** A category by its name instead of its id: the store's of that name whatever its case, else a new one */
  categoryName?: string
  taxClass?: string | null
  stock?: number | null
  active?: boolean | null
}

/**
 * Every column that names a product by a foreign key (database/migrations), but its own barcodes
 * and search words, which go with it (ON DELETE CASCADE), and stock_movements, whose opening-stock
 * row goes with it too. A product any of them names is archived, not deleted: the delete would
 * fail on the key. tests/functional/api/product_delete.spec.ts compares this with the schema.
 */
export const PRODUCT_REFERENCES: readonly (readonly [table: string, column: string])[] = [
  ['sale_items', 'product_id'],
  ['refund_items', 'product_id'],
  ['stock_receipt_lines', 'product_id'],
  ['stock_transfer_lines', 'product_id'],
  ['stock_transfer_lines', 'to_product_id'],
  ['stocktake_lines', 'product_id'],
]

type AuditedValue = number | string | boolean | string[] | null
/**
 * What an edit changed, field by field, old and new: every field of the product form (money in
 * minor units, as every audit entry holds amounts; the category by its name, barcodes as a list)
 */
export type ProductChanges = Partial<Record<'name' | 'sku' | 'barcodes' | 'category' | 'price' | 'cost' | 'tax_class' | 'active' | 'stock', { from: AuditedValue; to: AuditedValue }>>

export interface ProductSearch {
  search?: string | null
  barcode?: string | null
  categoryId?: number | null
  includeArchived?: boolean
  /**
   * Changed at or after this moment (an ISO time), for a copy of the catalog kept in step: archived
   * ones come too, as such, and the order is by id (see search)
   */
  updatedSince?: string | null
  /** With updatedSince: the products after this id (pages by id, not by offset) */
  afterId?: number | null
  page?: number
  perPage?: number
}

/** The lower-cased words of a name that search matches by prefix */
export function searchWords(name: string): string[] {
  const words = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, 64))
  return [...new Set(words)]
}

/**
 * The till's scan as statements, for a caller that sends them with others: an exact barcode,
 * and a SKU without regard to case (the barcode wins). Null for text that cannot be a code.
 */
export function codeLookup(storeId: number, code: string): Statement[] | null {
  const trimmed = code.trim()
  if (!trimmed || trimmed.length > 64) return null
  return [
    { sql: 'SELECT p.* FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.store_id = ? AND b.code = ? LIMIT 1', bindings: [storeId, trimmed] },
    { sql: `SELECT * FROM products WHERE store_id = ? AND ${skuEquals()}${exactSkuFirst()} LIMIT 1`, bindings: [storeId, trimmed, ...(exactSkuFirst() ? [trimmed] : [])] },
  ]
}

/** The product codeLookup's reads found, or null */
export function productFound([byBarcode, bySku]: StatementResult[]): Product | null {
  const row = byBarcode.rows[0] ?? bySku.rows[0]
  return row ? modelFromRow(Product, row) : null
}

export default class CatalogService {
  /** The till's scan: an exact barcode, else a SKU whatever its case. Sellable products only. */
  async findByCode(storeId: number, code: string): Promise<Product | null> {
    const lookup = codeLookup(storeId, code)
    if (!lookup) return null
    return productFound(await runStatements(db.connection(), lookup))
  }

  /** A product of the store by its id, whatever its state; null when the store has none */
  async find(storeId: number, productId: number): Promise<Product | null> {
    return Product.query().where({ store_id: storeId, id: productId }).first()
  }

  /** Products whose name has words starting with each word of the query, or whose SKU starts with the query (whatever its case) */
  async search(storeId: number, options: ProductSearch) {
    const page = Math.max(1, options.page ?? 1)
    const perPage = Math.min(100, Math.max(1, options.perPage ?? 25))
    const query = Product.query().where('products.store_id', storeId).preload('barcodes').preload('category')

    // A product archived since the last read is a change the copy must learn of, not one to leave out
    if (!options.includeArchived && !options.updatedSince) query.whereNull('products.archived_at')
    if (options.afterId && !options.updatedSince) throw new DomainError('after_id pages a list of changes: give updated_since too', { code: 'after_id_without_updated_since', field: 'after_id' })
    if (options.updatedSince && page > 1) throw new DomainError('With updated_since, pages go by id: ask the next one with after_id (meta.next_after_id), not page', { code: 'page_with_updated_since', field: 'page' })
    if (options.updatedSince) {
      // The whole second: both are kept to the second (a change at 10:00:00.700 is at 10:00:00)
      const since = dbTimestamp(new Date(options.updatedSince))
      // Its fields changed (updated_at), or its stock (the stock ledger: every change of stock is a
      // dated movement, found by its (store_id, created_at) index). A sale's stock update leaves
      // updated_at alone: writing it made every sale update that column's index, and every sold
      // product came again in each offline till's catalog delta, whose version then followed the
      // sales to the second and could step past a catalog change committed a moment later
      query.where((changed) =>
        changed
          .where('products.updated_at', '>=', since)
          .orWhereIn('products.id', (moved) => moved.from('stock_movements').where('store_id', storeId).where('created_at', '>=', since).select('product_id'))
      )
    }
    if (options.categoryId) query.where('products.category_id', options.categoryId)
    if (options.barcode) {
      query.whereIn('products.id', (sub) =>
        sub.from('product_barcodes').where({ store_id: storeId, code: options.barcode!.trim() }).select('product_id')
      )
    }
    const raw = (options.search ?? '').trim()
    const words = searchWords(raw)
    // Only symbols ("==", "+-*"): no word to look for, so no name matches (it listed every
    // product); a SKU may still start with them
    if (raw && !words.length) query.whereRaw(skuStartsWith('products.sku'), [skuPrefix(raw)])
    if (words.length) {
      // The longest word first narrows by index; the others filter the few rows left. A SKU of
      // several words ("TEA-1") is found whole, whatever its name's words
      for (const word of words.sort((a, b) => b.length - a.length)) {
        query.where((scope) => {
          scope
            .whereIn('products.id', (sub) =>
              sub
                .from('product_words')
                .where('store_id', storeId)
                .where('word', '>=', word)
                .where('word', '<', `${word}\uffff`)
                .select('product_id')
            )
            // A SKU's start finds it too ("TST" the TST-0001 to TST-0099): the field says "Name or SKU"
            .orWhereRaw(skuStartsWith('products.sku'), [skuPrefix(raw)])
        })
      }
      for (const operator of searchOperators(raw)) {
        query.where((scope) => scope.whereRaw('instr(products.name, ?) > 0', [operator]).orWhereRaw(skuStartsWith('products.sku'), [skuPrefix(raw)]))
      }
    }
    // Changes by id, each page after the last id of the one before (after_id): a product changed
    // again while the pages are read keeps its place, and one that leaves the list meanwhile (a
    // product deleted, one moved out of the category asked for) moves no other from a page not
    // read yet onto one read already, as by an offset; one changed since the first page is read
    // again at the next updated_since
    if (options.updatedSince) {
      if (options.afterId) query.where('products.id', '>', options.afterId)
      return query.orderBy('products.id').paginate(1, perPage)
    }
    return query.orderBy('products.name').orderBy('products.id').paginate(page, perPage)
  }

  async create(store: Store, input: ProductInput, actor?: User): Promise<Product> {
    // What a product starts with is counted stock; below zero is only what selling does (where the store allows it)
    if ((input.stock ?? 0) < 0) throw new DomainError('The opening stock cannot be negative', { code: 'invalid_stock', field: 'stock' })
    checkAmounts(store, input)
    return inTransaction(async (trx) => {
      await this.#checkUnique(trx, store.id, input, null)
      const product = new Product()
      product.useTransaction(trx)
      product.fill({
        storeId: store.id,
        name: input.name,
        sku: input.sku,
        price: input.price,
        cost: input.cost ?? 0,
        categoryId: await this.#categoryId(trx, store.id, input),
        taxClass: input.taxClass || 'standard',
        stock: input.stock ?? 0,
        active: input.active ?? true,
      })
      await product.save()
      await this.#saveCodes(trx, product, input.barcodes ?? [])
      if (product.stock !== 0) {
        await trx.table('stock_movements').insert({
          store_id: store.id,
          product_id: product.id,
          quantity: product.stock,
          reason: 'initial',
          user_id: actor?.id ?? null,
          created_at: dbTimestamp(),
        })
      }
      return product
    })
  }

  /**
   * Updates a product's catalog fields in the caller's transaction: product_update.ts, which books
   * a new stock figure in the stock ledger and audits the edit. Returns the product, locked and
   * saved, and the fields that changed (those that did: { price: { from, to } }).
   */
  async update(trx: TransactionClientContract, store: Store, product: Product, input: Partial<Omit<ProductInput, 'stock'>>): Promise<{ product: Product; changes: ProductChanges }> {
    checkAmounts(store, input)
    const locked = await Product.query({ client: trx }).where('id', product.id).forUpdate().firstOrFail()
    // The SKU is checked when it changes: a pair of SKUs differing only in case, kept from before they
    // were compared without case (app/catalog/sku.ts), stays editable
    await this.#checkUnique(trx, store.id, { sku: input.sku !== undefined && input.sku !== locked.sku ? input.sku : null, barcodes: input.barcodes, barcodesField: input.barcodesField }, locked.id)
    const before = await this.#audited(trx, locked)
    const { name, sku, price, cost, taxClass, active, categoryId, categoryName, barcodes } = input
    locked.merge(Object.fromEntries(Object.entries({ name, sku, price, active }).filter(([, v]) => v !== undefined && v !== null)))
    // Put on sale, an archived product is restored (as Restore does): it stayed archived, off the till, while the answer said 200
    if (active === true) locked.archivedAt = null
    if (cost !== undefined) locked.cost = cost ?? 0
    if (taxClass !== undefined) locked.taxClass = taxClass || 'standard'
    if (categoryId !== undefined || categoryName !== undefined) locked.categoryId = await this.#categoryId(trx, store.id, { categoryId, categoryName })
    const rowChanged = locked.$isDirty
    await locked.useTransaction(trx).save()
    if (barcodes !== undefined || name !== undefined) {
      await this.#saveCodes(trx, locked, barcodes)
    }
    const after = await this.#audited(trx, locked)
    const changes: ProductChanges = {}
    for (const key of Object.keys(before) as (keyof typeof before)[]) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] }
    }
    // New barcodes alone leave the row as it was (they are rows of their own): its updated_at
    // moves all the same, or a copy kept by changes (the API's updated_since, the offline till) missed them
    if (!rowChanged && changes.barcodes) {
      await trx.from('products').where('id', locked.id).update({ updated_at: dbTimestamp() })
    }
    return { product: locked, changes }
  }

  /** A product's fields as its product_updated entry records them */
  async #audited(trx: TransactionClientContract, product: Product) {
    const codes = await trx.from('product_barcodes').where('product_id', product.id).orderBy('id').select('code')
    const category = product.categoryId ? await trx.from('categories').where('id', product.categoryId).select('name').first() : null
    return {
      name: product.name,
      sku: product.sku,
      barcodes: codes.map((c) => String(c.code)),
      category: (category?.name as string | undefined) ?? null,
      price: Number(product.price),
      cost: Number(product.cost),
      tax_class: product.taxClass,
      active: Boolean(product.active),
    }
  }

  /**
   * A product that any row names (a sale, a refund, a stock document, a movement past its opening
   * stock) is archived, its history kept; one named by nothing is deleted
   */
  async archiveOrDelete(product: Product, actor: User): Promise<'archived' | 'deleted'> {
    return inTransaction(async (trx) => {
      // Locked first, in the order sales lock products: a sale or stock document in flight is waited for
      const locked = await trx.from('products').where('id', product.id).forUpdate().select('id', 'archived_at').first()
      // Archived already: as it was (deleted again, it moved its archive time and was audited twice)
      if (locked?.archived_at) return 'archived'
      const named = await runStatements(trx, [
        ...PRODUCT_REFERENCES.map(([table, column]) => ({ sql: `SELECT 1 AS found FROM ${table} WHERE ${column} = ? LIMIT 1`, bindings: [product.id] })),
        { sql: "SELECT 1 AS found FROM stock_movements WHERE product_id = ? AND reason <> 'initial' LIMIT 1", bindings: [product.id] },
      ])
      if (named.some((result) => result.rows.length > 0)) {
        const now = dbTimestamp()
        await trx.from('products').where('id', product.id).update({ archived_at: now, active: false, updated_at: now })
        await recordAudit({ action: 'product_archived', storeId: product.storeId, userId: actor.id, subjectType: 'product', subjectId: product.id }, trx)
        return 'archived'
      }
      await trx.from('stock_movements').where('product_id', product.id).delete()
      await trx.from('products').where('id', product.id).delete()
      // So the offline tills' catalog delta can say it is gone (offline_catalog_service.ts)
      await trx.table('catalog_deletions').insert({ store_id: product.storeId, product_id: product.id, deleted_at: dbTimestamp() })
      await recordAudit({ action: 'product_deleted', storeId: product.storeId, userId: actor.id, subjectType: 'product', subjectId: product.id, data: { sku: product.sku, name: product.name } }, trx)
      return 'deleted'
    })
  }

  async restore(product: Product) {
    product.merge({ archivedAt: null, active: true })
    await product.save()
  }

  async categories(storeId: number) {
    return Category.query().where('store_id', storeId).orderBy('position').orderBy('name')
  }

  /** After the product's other checks: a category created for a refused product stayed */
  async #categoryId(trx: TransactionClientContract, storeId: number, { categoryId, categoryName }: Pick<ProductInput, 'categoryId' | 'categoryName'>) {
    if (categoryName) return categoryIdNamed(trx, storeId, categoryName)
    if (!categoryId) return null
    const category = await trx.from('categories').where({ id: categoryId, store_id: storeId }).first()
    if (!category) throw new DomainError('This category does not exist', { code: 'unknown_category', field: 'category_id' })
    return categoryId
  }

  async #checkUnique(trx: TransactionClientContract, storeId: number, input: { sku: string | null; barcodes?: string[]; barcodesField?: 'barcode' | 'barcodes' }, productId: number | null) {
    const sameSku = input.sku === null ? null : await trx.from('products').where('store_id', storeId).whereRaw(skuEquals(), [input.sku]).whereNot('id', productId ?? 0).first()
    if (sameSku) {
      throw new DomainError(`SKU "${input.sku}" is already used by "${sameSku.name}"`, { status: 422, code: 'duplicate_sku', field: 'sku' })
    }
    const codes = input.barcodes ?? []
    const fieldAt = (index: number) => (input.barcodesField === 'barcodes' ? `barcodes.${index}` : 'barcode')
    const seen = new Set<string>()
    for (const [index, code] of codes.entries()) {
      const field = fieldAt(index)
      const check = checkBarcode(code)
      if (!check.valid) throw new DomainError(`Barcode ${code} ${check.reason}`, { code: 'invalid_barcode', field })
      if (seen.has(code)) throw new DomainError(`Barcode ${code} is listed twice`, { code: 'duplicate_barcode', field })
      seen.add(code)
    }
    if (codes.length) {
      const taken = await trx
        .from('product_barcodes')
        .join('products', 'products.id', 'product_barcodes.product_id')
        .where('product_barcodes.store_id', storeId)
        .whereIn('product_barcodes.code', codes)
        .whereNot('product_barcodes.product_id', productId ?? 0)
        .select('product_barcodes.code', 'products.name')
        .first()
      if (taken) {
        throw new DomainError(`Barcode ${taken.code} already belongs to "${taken.name}"`, { code: 'duplicate_barcode', field: fieldAt(codes.indexOf(taken.code)) })
      }
    }
  }

  async #saveCodes(trx: TransactionClientContract, product: Product, barcodes: string[] | undefined) {
    if (barcodes !== undefined) {
      await trx.from('product_barcodes').where('product_id', product.id).delete()
      if (barcodes.length) {
        await trx.insertQuery().table('product_barcodes').multiInsert(
          barcodes.map((code) => ({ store_id: product.storeId, product_id: product.id, code }))
        )
      }
    }
    await trx.from('product_words').where('product_id', product.id).delete()
    const words = searchWords(product.name)
    if (words.length) {
      await trx.insertQuery().table('product_words').multiInsert(
        words.map((word) => ({ store_id: product.storeId, word, product_id: product.id }))
      )
    }
  }
}

/**
 * A price or cost above what a line may carry (the API's validator says so too; the back office
 * form reads its decimals itself, and let 9,999,999.99 through)
 */
function checkAmounts(store: Store, input: Partial<ProductInput>) {
  for (const field of ['price', 'cost'] as const) {
    const value = input[field]
    if (typeof value === 'number' && value > MAX_UNIT_PRICE) {
      throw new DomainError(priceTooHigh(field, store.currency), { code: 'invalid_field', field })
    }
  }
}
