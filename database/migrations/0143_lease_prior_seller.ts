import { BaseSchema } from '@adonisjs/lucid/schema'
import { addReferenceColumn } from '#database/reference_columns'

/*
| Whose name a till's offline sales may carry was decided by the count of unsynced sales the till
| reported (a till saying "pending" kept its lease in the name of the user before): a tampered till
| could keep a manager's name and record a cashier's sales as the manager's. The server now keeps
| what it knows itself: the user the till's lease passed from, and when (a sign-in of someone else
| on that till, or that user signing out on it). That user's sales made until then are theirs.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('registers', (table) => {
      table.timestamp('lease_prior_until').nullable()
    })
    addReferenceColumn(this, 'registers', 'lease_prior_user_id', 'users.id')
  }

  async down() {
    this.schema.alterTable('registers', (table) => {
      table.dropForeign(['lease_prior_user_id'])
      table.dropColumn('lease_prior_user_id')
      table.dropColumn('lease_prior_until')
    })
  }
}
