import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('stores', (table) => {
      table.increments('id')
      table.string('name', 120).notNullable()
      table.text('address').nullable()
      table.string('currency', 3).notNullable().defaultTo('USD')
      table.string('time_zone', 64).notNullable().defaultTo('UTC')
      table.boolean('allow_negative_stock').notNullable().defaultTo(false)
      table.boolean('prices_include_tax').notNullable().defaultTo(false)
      // Cash payments are rounded to this many minor units (1 = no rounding, 5 = to 0.05)
      table.integer('cash_rounding').notNullable().defaultTo(1)
      table.string('receipt_footer', 255).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('registers', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('name', 80).notNullable()
      // The last number handed out; the next sale takes it + 1 inside its own transaction, so no gaps
      table.integer('last_sale_number').notNullable().defaultTo(0)
      table.string('last_sale_hash', 64).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('registers')
    this.schema.dropTable('stores')
  }
}
