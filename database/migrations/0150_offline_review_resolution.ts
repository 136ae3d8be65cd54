import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| How a review of the offline sales list was closed (app/sales/held_sale_recorder.ts): reviewed
| (marked by hand), recorded (a sale kept whole recorded as a new sale: its sale_id is that sale),
| or same_sale (dismissed: the sale that took its number on the server is this very sale). Reviews
| closed before this say nothing (null: reviewed).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('offline_reviews', (table) => {
      table.string('resolution', 20).nullable()
    })
  }

  async down() {
    this.schema.alterTable('offline_reviews', (table) => {
      table.dropColumn('resolution')
    })
  }
}
