import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import Category from '#models/category'
import type Store from '#models/store'
import type User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { nameKey } from '#core/name_key'

export interface CategoryInput {
  name: string
  color?: string | null
  position?: number | null
}

/*
| One category per name in a store, whatever its case or accents: "Drinks" and "drinks" side by
| side on the till would confuse. The database holds it: a unique key of (store_id, name_key), the
| key written by the app beside each name (app/core/name_key.ts, migration 0144) and compared byte
| for byte, so SQLite and MariaDB agree ("Épicerie" is "épicerie" on both; SQLite's NOCASE folded A
| to Z only, and such a pair could not move to MariaDB). A name is looked up by its key, so the
| look-up and the unique key agree. Two requests naming a new category at once both find none: the
| second INSERT hits the key, and is answered with the category the first made (a product's
| category by name, a CSV import) or told it exists (the category form).
*/

/** The store's categories of this name, as the unique key compares them */
function categoriesNamed(client: QueryClientContract, storeId: number, name: string) {
  return client.from('categories').where('store_id', storeId).where('name_key', nameKey(name))
}

/** Whether an error is the unique key of (store_id, name_key) refusing a second category of one name */
function isNameClash(error: any) {
  return error?.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed: categories\./.test(String(error?.message))
}

/**
 * The category of this name, read past the transaction's snapshot (a locking read on MariaDB: a
 * plain one would not see the row another transaction committed after this one's first read)
 */
async function existingNamed(trx: TransactionClientContract, storeId: number, name: string) {
  const query = categoriesNamed(trx, storeId, name).orderBy('id').select('id', 'name')
  if (trx.dialect.name === 'mysql') query.forUpdate()
  return query.first()
}

/**
 * Inserts a category in its own savepoint, so that a clash with the unique key leaves the
 * caller's transaction usable (SQLite's and PostgreSQL's would be aborted otherwise); null on a
 * clash
 */
async function insertCategory(trx: TransactionClientContract, row: { storeId: number; name: string; color?: string | null; position?: number | null }): Promise<Category | null> {
  const savepoint = await trx.transaction()
  try {
    const category = await Category.create({ storeId: row.storeId, name: row.name, color: row.color ?? null, position: row.position ?? 0 }, { client: savepoint })
    await savepoint.commit()
    return category
  } catch (error) {
    await savepoint.rollback()
    if (isNameClash(error)) return null
    throw error
  }
}

/**
 * The id of the store's category of this name whatever its case and accents, or of a new one: a product sent
 * with a category's name (the API's `category`, the CSV import's column), in the caller's
 * transaction. A create that loses the race answers with the winner's category.
 */
export async function categoryIdNamed(trx: TransactionClientContract, storeId: number, name: string): Promise<number> {
  const same = await categoriesNamed(trx, storeId, name).orderBy('id').select('id').first()
  if (same) return Number(same.id)
  const category = await insertCategory(trx, { storeId, name })
  if (category) return category.id
  const winner = await existingNamed(trx, storeId, name)
  if (!winner) throw new Error(`The category "${name}" clashed with one that cannot be read`)
  return Number(winner.id)
}

/** A store's product categories. Deleting one leaves its products uncategorised (FK ON DELETE SET NULL). */
export default class CategoryService {
  async list(store: Store) {
    const rows = await Category.query()
      .where('categories.store_id', store.id)
      .select('categories.*')
      .select(
        db
          .from('products')
          .whereColumn('products.category_id', 'categories.id')
          .count('*')
          .as('product_count')
      )
      .orderBy('position')
      .orderBy('name')
    return rows.map((category) => ({ category, productCount: Number(category.$extras.product_count ?? 0) }))
  }

  async find(store: Store, id: unknown) {
    const category = await Category.query().where({ id: Number(id) || 0, store_id: store.id }).first()
    if (!category) throw notFound('The category')
    return category
  }

  async create(store: Store, input: CategoryInput) {
    return inTransaction(async (trx) => {
      await this.#checkName(trx, store, input.name, null)
      const category = await insertCategory(trx, { storeId: store.id, ...input })
      if (category) return category
      // Created by another request since the check: that one's name is the one the form is told of
      await this.#checkName(trx, store, input.name, null, true)
      throw new DomainError(`A category named "${input.name}" already exists`, { code: 'duplicate_category', field: 'name' })
    })
  }

  async update(store: Store, category: Category, input: CategoryInput) {
    return inTransaction(async (trx) => {
      await this.#checkName(trx, store, input.name, category.id)
      category.useTransaction(trx)
      category.merge({ name: input.name, color: input.color ?? null, position: input.position ?? 0 })
      const renamed = category.$dirty.name !== undefined
      try {
        await category.save()
      } catch (error) {
        // Renamed to a name another request gave a category meanwhile
        if (!isNameClash(error)) throw error
        throw new DomainError(`A category named "${input.name}" already exists`, { code: 'duplicate_category', field: 'name' })
      }
      // The API's product carries its category's name: a copy kept by changes (updated_since) reads them again
      if (renamed) await trx.from('products').where('category_id', category.id).update({ updated_at: dbTimestamp() })
      return category
    })
  }

  /** Deletes the category; returns how many products it held (they keep existing, uncategorised) */
  async delete(store: Store, category: Category, actor: User) {
    return inTransaction(async (trx) => {
      const row = await trx.from('products').where('category_id', category.id).count('* as count').first()
      const products = Number(row?.count ?? 0)
      // Done here as well as by the foreign key, so it holds even where FKs are not enforced
      // updated_at too: a copy kept by changes (the API's updated_since, the offline till) learns of it
      await trx.from('products').where('category_id', category.id).update({ category_id: null, updated_at: dbTimestamp() })
      await trx.from('categories').where('id', category.id).delete()
      await recordAudit(
        { action: 'category_deleted', storeId: store.id, userId: actor.id, subjectType: 'category', subjectId: category.id, data: { name: category.name, products } },
        trx
      )
      return products
    })
  }

  async #checkName(trx: TransactionClientContract, store: Store, name: string, categoryId: number | null, latest = false) {
    const same = latest ? await existingNamed(trx, store.id, name) : await categoriesNamed(trx, store.id, name).whereNot('id', categoryId ?? 0).first()
    if (same) {
      throw new DomainError(`A category named "${same.name}" already exists`, { code: 'duplicate_category', field: 'name' })
    }
  }
}
