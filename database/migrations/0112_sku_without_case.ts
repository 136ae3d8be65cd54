import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| SKUs are compared without regard to case (app/catalog/sku.ts): on SQLite with COLLATE NOCASE,
| which an index of that collation serves (the till's scan looks a code up by SKU). MariaDB's
| collation ignores case already: nothing to do there. The unique key stays as it was, so a SQLite
| store that already holds "tea-1" beside "TEA-1" keeps both; the catalog refuses new ones.
*/
export default class extends BaseSchema {
  async up() {
    this.defer(async (client) => {
      if (client.dialect.name === 'mysql') return
      await client.rawQuery('CREATE INDEX IF NOT EXISTS products_store_sku_nocase ON products (store_id, sku COLLATE NOCASE)')
    })
  }

  async down() {
    this.defer(async (client) => {
      if (client.dialect.name === 'mysql') return
      await client.rawQuery('DROP INDEX IF EXISTS products_store_sku_nocase')
    })
  }
}
