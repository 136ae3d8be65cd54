import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Sessions live in an encrypted cookie (app/staff/sliding_cookie_store.ts): nothing on the server
| to delete at a sign-out, so a copy of the cookie went on working. A session keeps the person's
| session version it signed in at; a sign-out, a new password and a deactivation add one to it,
| ending every session signed in before (app/staff/sessions.ts). A counter, not a time: app
| servers' clocks may differ.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.integer('session_version').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropColumn('session_version')
    })
  }
}
