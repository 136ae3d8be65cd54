import { BaseSchema } from '@adonisjs/lucid/schema'
import { addReferenceColumn } from '#database/reference_columns'

/*
| Who sent a sale kept whole for review (a conflict) and what the register's lease said then:
| recording it later (app/sales/held_sale_recorder.ts) judges its seller's name by the sync's own
| rule (mayNameSeller, register_lease_service.ts), which reads both as they were when it reached the
| server. `sent_lease` is JSON: lease_device_id, lease_user_id, lease_prior_user_id,
| lease_prior_until. Null on the other reviews, on sales a till handed over (the sync never judged
| their names), and on conflicts kept before this.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('offline_reviews', (table) => {
      table.text('sent_lease').nullable()
    })
    // In place on SQLite (knex made the table again for a foreign key: reference_columns.ts)
    addReferenceColumn(this, 'offline_reviews', 'sent_by', 'users.id')
  }

  async down() {
    this.schema.alterTable('offline_reviews', (table) => {
      table.dropForeign(['sent_by'])
      table.dropColumn('sent_by')
      table.dropColumn('sent_lease')
    })
  }
}
