import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { dbTimestamp } from '#platform/db_time'

/*
| One category per name in a store, whatever its case (app/catalog/category_service.ts). MariaDB's
| unique key on (store_id, name) compares by the database's _ci collation already; SQLite's
| compared names exactly, so "Drinks" beside "DRINKS" was kept, and two requests naming a new
| category at once made two. First the duplicates are merged: into the oldest (lowest id), its
| products and stocktakes moved to it, each merge in the audit log (categories_merged); then
| SQLite gets a unique index comparing by NOCASE (the letters A to Z, as the look-ups do).
*/

/** SQLite's unique index (0144 replaces it with the name key's) */
const CATEGORY_NAME_INDEX = 'categories_store_name_nocase'

/** Merges each store's categories of one name (as the database compares them) into the oldest */
async function mergeDuplicateCategories(client: QueryClientContract) {
  const mysql = client.dialect.name === 'mysql'
  const groupBy = mysql ? 'store_id, name' : 'store_id, name COLLATE NOCASE'
  const groups = await client.rawQuery(`SELECT store_id, MIN(id) AS kept FROM categories GROUP BY ${groupBy} HAVING COUNT(*) > 1`)
  for (const group of (mysql ? groups[0] : groups) as { store_id: number; kept: number }[]) {
    const kept = await client.from('categories').where('id', group.kept).first()
    const same = mysql ? 'name = ?' : 'name = ? COLLATE NOCASE'
    const merged = await client.from('categories').where('store_id', group.store_id).whereRaw(same, [kept.name]).whereNot('id', kept.id).orderBy('id').select('id', 'name')
    await mergeCategoriesInto(client, kept, merged)
  }
}

/**
 * Merges categories into the one kept: their products and stocktakes moved to it, they are deleted,
 * and the merge goes in the audit log (categories_merged). 0144 merges by its name key the same way.
 */
export async function mergeCategoriesInto(client: QueryClientContract, kept: { id: number; store_id: number; name: string }, merged: { id: number; name: string }[]) {
  const ids = merged.map((c) => Number(c.id))
  const products = Number((await client.from('products').whereIn('category_id', ids).count('* as n').first()).n)
  // updated_at too: tills keep a copy of the catalog and take only products changed since theirs
  await client.from('products').whereIn('category_id', ids).update({ category_id: kept.id, updated_at: dbTimestamp() })
  await client.from('stocktakes').whereIn('category_id', ids).update({ category_id: kept.id })
  await client.from('categories').whereIn('id', ids).delete()
  await client.table('audit_logs').insert({
    action: 'categories_merged',
    store_id: kept.store_id,
    subject_type: 'category',
    subject_id: kept.id,
    data: JSON.stringify({ kept: { id: Number(kept.id), name: kept.name }, merged: merged.map((c) => ({ id: Number(c.id), name: c.name })), products }),
    created_at: dbTimestamp(),
  })
}

/** The duplicates merged, then SQLite's unique index */
async function uniqueCategoryNames(client: QueryClientContract) {
  await mergeDuplicateCategories(client)
  if (client.dialect.name !== 'mysql') await client.rawQuery(`CREATE UNIQUE INDEX IF NOT EXISTS ${CATEGORY_NAME_INDEX} ON categories (store_id, name COLLATE NOCASE)`)
}

export default class extends BaseSchema {
  async up() {
    this.defer((client) => uniqueCategoryNames(client))
  }

  async down() {
    this.defer(async (client) => {
      if (client.dialect.name !== 'mysql') await client.rawQuery(`DROP INDEX IF EXISTS ${CATEGORY_NAME_INDEX}`)
    })
  }
}
