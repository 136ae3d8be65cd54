import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { phoneDigitsReversed } from '#models/customer'

/*
| A customer's phone digits, last first (`phone_reversed`), indexed with the store: a search by
| the number's last digits ("212-555-0100" for "+12125550100") is then a range of the index, as
| a search by its first digits is on `phone`. Kept by the Customer model's save hook; filled here
| for the customers already saved (and by pos:restore for a backup from before this).
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('customers', (table) => {
      table.string('phone_reversed', 20).nullable()
      table.index(['store_id', 'phone_reversed'])
    })
    this.defer((client) => fillPhoneReversed(client))
  }

  async down() {
    this.schema.alterTable('customers', (table) => {
      table.dropIndex(['store_id', 'phone_reversed'])
      table.dropColumn('phone_reversed')
    })
  }
}

/** Writes `phone_reversed` of every customer with a phone, 500 rows to a statement */
export async function fillPhoneReversed(client: QueryClientContract) {
  let after = 0
  for (;;) {
    const rows = await client.from('customers').whereNotNull('phone').where('id', '>', after).orderBy('id').limit(500).select('id', 'phone')
    if (!rows.length) return
    const bindings = rows.flatMap((row) => [row.id, phoneDigitsReversed(row.phone)])
    const cases = `CASE id ${rows.map(() => 'WHEN ? THEN ?').join(' ')} END`
    await client.from('customers').whereIn('id', rows.map((row) => row.id)).update({ phone_reversed: client.raw(cases, bindings) })
    after = Number(rows[rows.length - 1].id)
  }
}
