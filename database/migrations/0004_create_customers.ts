import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('customers', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('name', 120).notNullable()
      table.string('email', 254).nullable()
      table.string('phone', 40).nullable()
      table.text('notes').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('customers')
  }
}
