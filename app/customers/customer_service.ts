import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import Sale from '#models/sale'
import type Store from '#models/store'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'

export interface CustomerInput {
  name: string
  email?: string | null
  phone?: string | null
  notes?: string | null
}

export interface CustomerSearch {
  search?: string | null
  /** The till and the API's search leave erased customers out; the back-office list shows them */
  includeErased?: boolean
  page?: number
  perPage?: number
}

type CustomerQuery = ModelQueryBuilderContract<typeof Customer>

/** The characters LIKE treats specially, escaped with "!" (the same ESCAPE works on SQLite and MySQL) */
const likeEscape = (text: string) => text.replace(/[!%_]/g, (c) => `!${c}`)

/** The first string after every string that starts with `digits` (digits only), or null when there is none ("99") */
function afterDigitPrefix(digits: string): string | null {
  const kept = digits.replace(/9+$/, '')
  return kept ? kept.slice(0, -1) + String(Number(kept.at(-1)) + 1) : null
}

/** Rows whose `column` starts with `sign` and `digits`, as a range the column's index serves */
function startsWith(scope: CustomerQuery, storeId: number, column: string, sign: '' | '+', digits: string) {
  const after = afterDigitPrefix(digits)
  scope.where('store_id', storeId).where(column, '>=', sign + digits)
  // Only nines: up to the most nines a number has (20), which every longer match sorts before
  if (after) scope.where(column, '<', sign + after)
  else scope.where(column, '<=', sign + '9'.repeat(20))
}

/**
 * Phones are kept as + and digits (validators/customers.ts), so a search compares digits: the
 * number's first digits ("+1 555" and "1555" find "+1555..."), its last ones ("212-555-0100"
 * finds "+12125550100", typed without the country code), or the whole of a number saved without
 * its country code ("+1 212 555 0100" finds "2125550100"). Each is a range of an index with the
 * store (`phone`, `phone_reversed`): a name or email match would read every customer of the store.
 */
function wherePhoneMatches(scope: CustomerQuery, storeId: number, digits: string) {
  const reversed = [...digits].reverse().join('')
  scope.where((q) => startsWith(q, storeId, 'phone', '', digits))
  scope.orWhere((q) => startsWith(q, storeId, 'phone', '+', digits))
  if (digits.length >= 4) scope.orWhere((q) => startsWith(q, storeId, 'phone_reversed', '', reversed))
  // Saved numbers have 6 digits at least: each ending of the search that long may be one whole
  const endings = [] as string[]
  for (let length = 6; length < reversed.length; length++) endings.push(reversed.slice(0, length))
  if (endings.length) scope.orWhere((q) => q.where('store_id', storeId).whereIn('phone_reversed', endings))
}

/**
 * A store's customers: optional on every sale, found by name, email or phone digits, and kept
 * only with what a feature needs (name; email, phone and notes if the customer gives them).
 */
export default class CustomerService {
  async search(store: Store, options: CustomerSearch) {
    const query = Customer.query().where('store_id', store.id)
    if (!options.includeErased) query.whereNull('erased_at')
    const term = (options.search ?? '').trim().toLowerCase()
    const digits = term.replace(/\D/g, '')
    if (digits.length >= 3 && /^[\d\s().+-]+$/.test(term)) {
      query.where((scope) => wherePhoneMatches(scope, store.id, digits))
    } else if (term) {
      const like = likeEscape(term)
      query.where((scope) => {
        // a word of the name starting with the term: "smi" finds "Jane Smith"
        scope.whereRaw(`LOWER(name) LIKE ? ESCAPE '!'`, [`${like}%`]).orWhereRaw(`LOWER(name) LIKE ? ESCAPE '!'`, [`% ${like}%`])
        scope.orWhereRaw(`email LIKE ? ESCAPE '!'`, [`${like}%`])
      })
    }
    return query.orderBy('name').orderBy('id').paginate(options.page ?? 1, options.perPage ?? 25)
  }

  async find(store: Store, id: unknown) {
    const customer = await Customer.query().where({ id: Number(id) || 0, store_id: store.id }).first()
    if (!customer) throw notFound('The customer')
    return customer
  }

  async create(store: Store, input: CustomerInput) {
    return inTransaction(async (trx) => {
      await this.#checkEmail(trx, store, input.email ?? null, null)
      const customer = new Customer()
      customer.useTransaction(trx)
      customer.fill({
        storeId: store.id,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        notes: input.notes ?? null,
      })
      await this.#save(customer)
      return customer
    })
  }

  /** Fields left undefined keep their value; null clears email, phone or notes */
  async update(store: Store, customer: Customer, input: Partial<CustomerInput>) {
    return inTransaction(async (trx) => {
      const locked = await Customer.query({ client: trx }).where({ id: customer.id, store_id: store.id }).forUpdate().firstOrFail()
      if (locked.erasedAt) throw erasedError()
      if (input.email !== undefined) await this.#checkEmail(trx, store, input.email, locked.id)
      const changes: Partial<CustomerInput> = {}
      for (const key of ['name', 'email', 'phone', 'notes'] as const) {
        if (input[key] !== undefined) changes[key] = input[key] as any
      }
      locked.merge(changes)
      await this.#save(locked)
      return locked
    })
  }

  /** The customer's sales, newest first: completed and voided ones (an open cart is not a purchase yet) */
  async history(store: Store, customer: Customer, page = 1, perPage = 25) {
    return Sale.query()
      .where({ store_id: store.id, customer_id: customer.id })
      .whereIn('status', ['completed', 'voided'])
      .preload('register')
      .orderBy('id', 'desc')
      .paginate(page, perPage)
  }

  /**
   * How many completed sales, what was paid for them, and what refunds gave back of them. Paid is
   * the total with its cash rounding, as refunds give back money in the smallest coin: the total
   * alone left a sale returned in full a cent or two spent, or refunded beyond
   */
  async totals(store: Store, customer: Customer) {
    const row = await Sale.query()
      .where({ store_id: store.id, customer_id: customer.id, status: 'completed' })
      .count('* as count')
      .select(db.raw('sum(total + rounding_total) as sold'))
      .sum('refunded_total as refunded')
      .first()
    const sold = Number(row?.$extras.sold ?? 0)
    const refunded = Number(row?.$extras.refunded ?? 0)
    return { count: Number(row?.$extras.count ?? 0), spent: sold - refunded, refunded }
  }

  async #checkEmail(trx: TransactionClientContract, store: Store, email: string | null, customerId: number | null) {
    if (!email) return
    const taken = await trx.from('customers').where({ store_id: store.id, email }).whereNot('id', customerId ?? 0).first()
    if (taken) throw duplicateEmail()
  }

  /** The unique index settles two saves of one email at the same moment */
  async #save(customer: Customer) {
    try {
      await customer.save()
    } catch (error: any) {
      if (error?.code === 'ER_DUP_ENTRY' || String(error?.code).startsWith('SQLITE_CONSTRAINT_UNIQUE')) throw duplicateEmail()
      throw error
    }
  }
}

const duplicateEmail = () =>
  new DomainError('Another customer of this store already uses this email', { code: 'duplicate_email', field: 'email' })

export const erasedError = () =>
  new DomainError('This customer was erased: their personal data is gone and the record cannot be used again', {
    status: 409,
    code: 'customer_erased',
  })
