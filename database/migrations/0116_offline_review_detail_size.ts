import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| An offline sale kept for review holds the whole sale as the till sent it (offline_reviews.detail).
| On MariaDB that was a TEXT column, 64 KB: a sale of some 400 lines (the API takes 500) did not
| fit, and the batch it came in failed whole, resent by its till for ever. MEDIUMTEXT holds 16 MB.
| SQLite's TEXT has no such limit.
*/
export default class extends BaseSchema {
  async up() {
    if (this.db.dialect.name !== 'mysql') return
    this.schema.alterTable('offline_reviews', (table) => {
      table.text('detail', 'mediumtext').nullable().alter()
    })
  }

  async down() {
    if (this.db.dialect.name !== 'mysql') return
    this.schema.alterTable('offline_reviews', (table) => {
      table.text('detail').nullable().alter()
    })
  }
}
