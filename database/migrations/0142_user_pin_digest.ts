import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A PIN names one person in each store they work in, but adding someone to a second store's staff
| could not check that: a PIN's hash is salted per person, so two hashes do not compare, and the
| till took the first person the PIN matched. users.pin_digest is the same for the same PIN
| (app/models/user.ts, pinDigest), so two people's PINs compare without either being typed.
| PINs set before this have none until set again or typed at a till once (auth_service.ts).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      table.string('pin_digest', 64).nullable().index()
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => table.dropColumn('pin_digest'))
  }
}
