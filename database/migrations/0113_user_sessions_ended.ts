import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Sessions live in an encrypted cookie (app/staff/sliding_cookie_store.ts): nothing on the server
| to delete at a sign-out, so a copy of the cookie went on working. A person's sessions signed in
| before this moment (epoch milliseconds) are ended: set by a sign-out, a new password and a
| deactivation (app/staff/sessions.ts).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.bigInteger('sessions_ended_at').nullable()
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropColumn('sessions_ended_at')
    })
  }
}
