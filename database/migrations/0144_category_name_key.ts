import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { nameKey, NAME_KEY_LENGTH } from '#core/name_key'
import { mergeCategoriesInto } from '#database/migrations/0125_category_name_unique'

/*
| One category per name in a store, the same on both databases (app/core/name_key.ts): the unique
| key of 0125 compared names as each database does, and they disagree (SQLite's NOCASE folds A to Z
| only: "Épicerie" beside "épicerie" was kept there, and refused by MariaDB's restore). Now the app
| writes a key beside each name, and a unique index of (store_id, name_key) compares the keys byte
| for byte on both (utf8mb4_bin on MariaDB). The store's categories that share a key are merged
| first, as 0125 did: into the oldest (lowest id), their products and stocktakes moved to it, each
| merge in the audit log (categories_merged). The column stays nullable so that an older backup's
| rows load as they were: pos:restore then runs keyCategoryNames, as this migration does. The key's
| rule grew since (0145: invisible characters, runs of white space): keyCategoryNames always keys
| with the rule of today, so 0145 runs it again, and pos:restore runs it for a backup from before 0145.
*/

/** The unique index of the keys */
export const CATEGORY_KEY_INDEX = 'categories_store_name_key_unique'

/** Writes every category's key, merging a store's categories that share one into the oldest */
export async function keyCategoryNames(client: QueryClientContract) {
  const rows = (await client.from('categories').orderBy('id').select('id', 'store_id', 'name', 'name_key')) as { id: number; store_id: number; name: string; name_key: string | null }[]
  const groups = new Map<string, typeof rows>()
  for (const row of rows) {
    const key = `${row.store_id}\u0000${nameKey(row.name)}`
    groups.set(key, [...(groups.get(key) ?? []), row])
  }
  for (const [kept, ...merged] of groups.values()) {
    // Merged first: under a newer rule of the key (0145) the one kept may take a key another of
    // its group still holds ("Tea" + U+200B kept, "Tea" holding "tea")
    if (merged.length) await mergeCategoriesInto(client, kept, merged)
    const key = nameKey(kept.name)
    if (kept.name_key !== key) await client.from('categories').where('id', kept.id).update({ name_key: key })
  }
}

export default class extends BaseSchema {
  async up() {
    const mysql = this.db.dialect.name === 'mysql'
    this.schema.alterTable('categories', (table) => {
      const column = table.string('name_key', NAME_KEY_LENGTH).nullable()
      if (mysql) column.collate('utf8mb4_bin')
    })
    this.defer(async (client) => {
      await keyCategoryNames(client)
      if (client.dialect.name === 'mysql') {
        // The old key also serves the store's foreign key: the new one takes that over as it goes
        await client.rawQuery(`ALTER TABLE categories ADD UNIQUE INDEX ${CATEGORY_KEY_INDEX} (store_id, name_key), DROP INDEX categories_store_id_name_unique`)
      } else {
        await client.rawQuery(`CREATE UNIQUE INDEX ${CATEGORY_KEY_INDEX} ON categories (store_id, name_key)`)
        await client.rawQuery('DROP INDEX IF EXISTS categories_store_name_nocase')
        await client.rawQuery('DROP INDEX IF EXISTS categories_store_id_name_unique')
      }
    })
  }

  async down() {
    this.defer(async (client) => {
      if (client.dialect.name === 'mysql') {
        await client.rawQuery(`ALTER TABLE categories ADD UNIQUE INDEX categories_store_id_name_unique (store_id, name), DROP INDEX ${CATEGORY_KEY_INDEX}`)
      } else {
        await client.rawQuery(`DROP INDEX IF EXISTS ${CATEGORY_KEY_INDEX}`)
        await client.rawQuery('CREATE UNIQUE INDEX IF NOT EXISTS categories_store_id_name_unique ON categories (store_id, name)')
        await client.rawQuery('CREATE UNIQUE INDEX IF NOT EXISTS categories_store_name_nocase ON categories (store_id, name COLLATE NOCASE)')
      }
    })
    this.schema.alterTable('categories', (table) => table.dropColumn('name_key'))
  }
}
