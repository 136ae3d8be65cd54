import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Each sale line keeps its taxes (JSON: [{code, name, ratePpm, amount, compound}]) so receipts
| and reports show tax by rate; payments through a gateway start as pending rows carrying the
| gateway, the idempotency key sent to it and its last message for the cashier.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('sale_items', (table) => {
      table.text('taxes').nullable()
    })
    this.schema.alterTable('payments', (table) => {
      table.string('gateway', 64).nullable()
      table.string('idempotency_key', 64).nullable().unique()
      table.string('message', 255).nullable()
    })
  }

  async down() {
    this.schema.alterTable('payments', (table) => {
      table.dropUnique(['idempotency_key'])
      table.dropColumn('gateway')
      table.dropColumn('idempotency_key')
      table.dropColumn('message')
    })
    this.schema.alterTable('sale_items', (table) => {
      table.dropColumn('taxes')
    })
  }
}
