import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A stocktake's counts are taken while the store sells. Approval posted each counted product's
| difference from the stock on hand at approval, so every sale made between the count and the
| approval was undone (counted 200, sold 5 since, approved: 200 again, with 195 on the shelf).
| Each line now keeps the stock on hand when its count was saved, and approval posts the
| difference from that (app/inventory/stocktake_service.ts). Null on lines counted before this.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('stocktake_lines', (table) => {
      table.integer('counted_at_stock').nullable()
    })
  }

  async down() {
    this.schema.alterTable('stocktake_lines', (table) => {
      table.dropColumn('counted_at_stock')
    })
  }
}
