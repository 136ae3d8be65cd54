import { BaseSchema } from '@adonisjs/lucid/schema'

const TABLE = 'loyalty_points_ledger'

export default class extends BaseSchema {
  async up() {
    // Plugin migrations may meet a database that already has the table (enabled, disabled, enabled again)
    if (await this.db.schema.hasTable(TABLE)) return
    // Every change of a customer's points is a row; the balance is their sum
    this.schema.createTable(TABLE, (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable()
      table.integer('customer_id').unsigned().notNullable()
      table.integer('sale_id').unsigned().nullable()
      table.integer('refund_id').unsigned().nullable()
      // earn, redeem, reverse (a refund takes back earned points), restore (a removed points payment)
      table.string('reason', 16).notNullable()
      table.integer('points').notNullable()
      // 'earn:<sale>', 'reverse:<refund>': the same event delivered twice never counts twice
      table.string('dedupe_key', 64).nullable().unique()
      table.dateTime('created_at').notNullable()
      table.index(['store_id', 'customer_id'])
      table.index(['sale_id'])
    })
  }

  async down() {
    this.schema.dropTableIfExists(TABLE)
  }
}
