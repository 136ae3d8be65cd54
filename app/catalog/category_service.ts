import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import Category from '#models/category'
import type Store from '#models/store'
import type User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'

export interface CategoryInput {
  name: string
  color?: string | null
  position?: number | null
}

/**
 * The store's categories of this name, whatever its case: "Drinks" and "drinks" side by side on
 * the till would confuse
 */
function categoriesNamed(client: QueryClientContract, storeId: number, name: string) {
  return client.from('categories').where('store_id', storeId).whereRaw('LOWER(name) = ?', [name.toLowerCase()])
}

/**
 * The id of the store's category of this name whatever its case, or of a new one: a product sent
 * with a category's name (the API's `category`), in the product's transaction
 */
export async function categoryIdNamed(trx: TransactionClientContract, storeId: number, name: string): Promise<number> {
  const same = await categoriesNamed(trx, storeId, name).orderBy('id').select('id').first()
  if (same) return Number(same.id)
  const category = await Category.create({ storeId, name, color: null, position: 0 }, { client: trx })
  return category.id
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
      return Category.create(
        { storeId: store.id, name: input.name, color: input.color ?? null, position: input.position ?? 0 },
        { client: trx }
      )
    })
  }

  async update(store: Store, category: Category, input: CategoryInput) {
    return inTransaction(async (trx) => {
      await this.#checkName(trx, store, input.name, category.id)
      category.useTransaction(trx)
      category.merge({ name: input.name, color: input.color ?? null, position: input.position ?? 0 })
      await category.save()
      return category
    })
  }

  /** Deletes the category; returns how many products it held (they keep existing, uncategorised) */
  async delete(store: Store, category: Category, actor: User) {
    return inTransaction(async (trx) => {
      const row = await trx.from('products').where('category_id', category.id).count('* as count').first()
      const products = Number(row?.count ?? 0)
      // Done here as well as by the foreign key, so it holds even where FKs are not enforced
      await trx.from('products').where('category_id', category.id).update({ category_id: null })
      await trx.from('categories').where('id', category.id).delete()
      await recordAudit(
        { action: 'category_deleted', storeId: store.id, userId: actor.id, subjectType: 'category', subjectId: category.id, data: { name: category.name, products } },
        trx
      )
      return products
    })
  }

  async #checkName(trx: TransactionClientContract, store: Store, name: string, categoryId: number | null) {
    const same = await categoriesNamed(trx, store.id, name).whereNot('id', categoryId ?? 0).first()
    if (same) {
      throw new DomainError(`A category named "${same.name}" already exists`, { code: 'duplicate_category', field: 'name' })
    }
  }
}
