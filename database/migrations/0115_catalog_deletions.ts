import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A product deleted in the back office (one never sold) left no row, so the offline till's
| catalog delta (`?since=`, by products.updated_at) could not say it was gone, and every till
| kept selling it offline until its next whole load; those sales were then refused at sync. Each
| deletion leaves a row here, which the delta sends as the product taken off sale
| (app/sales/offline_catalog_service.ts).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('catalog_deletions', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable()
      table.integer('product_id').unsigned().notNullable()
      table.timestamp('deleted_at').notNullable()
      table.index(['store_id', 'deleted_at'])
    })
  }

  async down() {
    this.schema.dropTable('catalog_deletions')
  }
}
