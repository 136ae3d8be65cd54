import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('idempotency_keys', (table) => {
      // Who holds a claim that has no answer yet: a retry may take over a claim whose lease ran out
      table.string('claim_token', 36).nullable()
      // Set inside the guarded write's own transaction: a claim with it set guards a write that committed
      table.timestamp('written_at').nullable()
    })
  }

  async down() {
    this.schema.alterTable('idempotency_keys', (table) => {
      table.dropColumn('written_at')
      table.dropColumn('claim_token')
    })
  }
}
