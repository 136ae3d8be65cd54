import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| When each count of a stocktake was saved. An offline sale made before a product was counted
| and synced after it was taken off twice (by the count, which found the units gone, and by the
| sale): the sync finds the first count saved after the sale was made, by this time, and puts it
| right (app/inventory/counts_after_offline_sales.ts). Null on lines counted before this.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('stocktake_lines', (table) => {
      table.timestamp('counted_at').nullable()
      table.index(['product_id', 'counted_at'], 'stocktake_lines_product_counted_at_index')
    })
  }

  async down() {
    // InnoDB dropped the index it had made for the product_id foreign key once this one could
    // serve it, and refuses to drop this one ("needed in a foreign key constraint"): one for the
    // key first, as before this migration
    if (this.db.dialect.name === 'mysql') {
      this.schema.alterTable('stocktake_lines', (table) => table.index(['product_id'], 'stocktake_lines_product_id_foreign'))
    }
    this.schema.alterTable('stocktake_lines', (table) => {
      table.dropIndex(['product_id', 'counted_at'], 'stocktake_lines_product_counted_at_index')
      table.dropColumn('counted_at')
    })
  }
}
