import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Actor } from '#staff/actor'
import { DomainError, FieldErrors, type FieldProblem } from '#exceptions/domain_error'
import { affectedRows } from '#platform/db_transaction'
import { dbTimestamp } from '#platform/db_time'
import { MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from '#validators/fields'

/*
| What the stock operations share (stock_service.ts, stocktake_service.ts): checking their input,
| locking products in id order (the order sales use), changing stock, writing ledger rows.
*/

/** The most lines one stock document takes */
export const MAX_LINES = 500

export const field = (message: string, name: string, code = 'invalid_field') => new DomainError(message, { code, field: name })

/**
 * The refusals of a stock document's fields, gathered so that a form shows every one at once (the
 * receipt form came back with the supplier's error, then the first bad line's, then the next).
 * `rename` turns a service's field (items.<position>.product_id) into the form's; a field keeps its
 * first refusal only.
 */
export class FieldProblems {
  readonly list: FieldProblem[] = []

  constructor(readonly rename: (field: string) => string = (name) => name) {}

  add(error: DomainError) {
    this.addAt(this.rename(error.field ?? 'form'), error.message, error.code ?? 'invalid_field')
  }

  /** A refusal already named as the form names its field */
  addAt(name: string, message: string, code = 'invalid_field') {
    if (!this.has(name)) this.list.push({ field: name, message, code })
  }

  /** Runs a check that throws a field's refusal, keeping the refusal instead */
  check(work: () => void) {
    try {
      work()
    } catch (error) {
      if (!(error instanceof DomainError) || !error.field || error instanceof FieldErrors) throw error
      this.add(error)
    }
  }

  has(name: string) {
    return this.list.some((problem) => problem.field === name)
  }

  throwIfAny() {
    if (this.list.length) throw new FieldErrors(this.list)
  }
}

export function checkInteger(value: number, name: string, min: number, max: number, what: string) {
  if (!Number.isInteger(value)) throw field(`${what} must be a whole number`, name)
  if (value < 0 && min >= 0) throw field(`${what} cannot be negative`, name, 'negative_quantity')
  if (value < min) throw field(`${what} must be at least ${min}`, name)
  if (value > max) throw field(`${what} of ${value} is not believable: at most ${max.toLocaleString('en-US')}`, name, 'absurd_quantity')
}

/**
 * A text of a stock document holds no control characters nor text-direction overrides, and only a
 * note may hold line breaks: the back office's forms reach the service without the API's validators
 */
export function checkText(text: string | null | undefined, name: string, what: string, lines = false) {
  if (text && !(lines ? MULTI_LINE_TEXT : SINGLE_LINE_TEXT).test(text)) {
    throw field(`${what} may not hold control characters or text-direction overrides`, name, 'invalid_text')
  }
}

export function checkLines<T extends { productId: number }>(lines: T[]) {
  if (!lines.length) throw field('Add at least one product', 'items', 'no_lines')
  if (lines.length > MAX_LINES) throw field(`At most ${MAX_LINES} lines at once`, 'items')
  const seen = new Set<number>()
  lines.forEach((line, index) => {
    if (!Number.isInteger(line.productId) || line.productId <= 0) throw field('Choose a product', `items.${index}.product_id`)
    if (seen.has(line.productId)) throw field('This product is listed twice', `items.${index}.product_id`, 'duplicate_line')
    seen.add(line.productId)
  })
}

/** Locks the store's products in id order (the order sales use) and returns them by id */
export async function lockProducts(trx: TransactionClientContract, storeId: number, productIds: number[]) {
  const ids = [...new Set(productIds)].sort((a, b) => a - b)
  const rows = await trx.from('products').whereIn('id', ids).where('store_id', storeId).orderBy('id').forUpdate().select('id', 'name', 'sku', 'stock', 'archived_at')
  return new Map<number, any>(rows.map((r) => [Number(r.id), r]))
}

/** Lines sorted by product id: updates follow the lock order */
export function byProduct<T extends { productId: number }>(lines: T[]): T[] {
  return [...lines].sort((a, b) => a.productId - b.productId)
}

/** A signed change of stock; a decrease below zero is refused unless the store allows negative stock */
export async function changeStock(trx: TransactionClientContract, actor: Actor, productId: number, quantity: number, name: string, fieldName: string) {
  const update = trx.from('products').where('id', productId).where('store_id', actor.store.id)
  if (quantity < 0 && !actor.store.allowNegativeStock) update.where('stock', '>=', -quantity)
  const changed = await update.update({ stock: trx.raw('stock + ?', [quantity]), updated_at: dbTimestamp() })
  if (!affectedRows(changed)) {
    const row = await trx.from('products').where('id', productId).select('stock').first()
    throw new DomainError(`Not enough stock of "${name}": ${Math.max(0, Number(row?.stock ?? 0))} on hand, ${-quantity} to take off`, {
      status: 409,
      code: 'insufficient_stock',
      field: fieldName,
    })
  }
}

/**
 * A text cut to a column of `max` characters, never between the two halves of a character
 * outside the BMP: an emoji at the cut was stored as half of itself, shown as "\uFFFD"
 */
export function clipText(text: string, max = 255) {
  const cut = text.slice(0, max)
  return cut.length === max && /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

export async function writeLedger(trx: TransactionClientContract, actor: Actor, lines: { productId: number; quantity: number }[], reason: string, documentType: string, documentId: number, text: string) {
  if (!lines.length) return
  const note = clipText(text)
  const storeId = actor.store.id
  const now = dbTimestamp()
  const rows = lines.map((l) => ({ store_id: storeId, product_id: l.productId, quantity: l.quantity, reason, user_id: actor.user.id, note, document_type: documentType, document_id: documentId, created_at: now }))
  // SQLite inserts many rows as one compound SELECT of at most 500 terms: a stocktake approving
  // more variances than that failed whole (a 500)
  for (let i = 0; i < rows.length; i += 500) await trx.insertQuery().table('stock_movements').multiInsert(rows.slice(i, i + 500))
}
