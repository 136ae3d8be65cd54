import { BaseSchema } from '@adonisjs/lucid/schema'
import { dbTimestamp } from '#platform/db_time'

/*
| The stores a user works in. users.store_id stays the home store (where they sign in to);
| store_users lists every store they may work in, the home store included.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('store_users', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('user_id').unsigned().notNullable().references('users.id')
      table.timestamp('created_at').notNullable()
      table.unique(['user_id', 'store_id'])
      table.index(['store_id'])
    })
    this.defer(async (db) => {
      const users = await db.from('users').whereNotNull('store_id').select('id', 'store_id')
      const now = dbTimestamp()
      for (let i = 0; i < users.length; i += 500) {
        await db.table('store_users').multiInsert(users.slice(i, i + 500).map((u) => ({ store_id: u.store_id, user_id: u.id, created_at: now })))
      }
    })
  }

  async down() {
    this.schema.dropTable('store_users')
  }
}
