import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Money and totals that grow become 64-bit: a sale of 9,999 units at 3,000.00 is 2,999,700,000
| cents, past a signed 32-bit INT. mysql2 (supportBigNumbers, no bigNumberStrings) still answers
| a BIGINT as a JS number while it is below 2^53, which the limits of money.ts guarantee.
| SQLite's INTEGER already holds 64 bits whatever the declared type, so this changes nothing
| there (and SQLite cannot change a column's type without copying the table).
*/
const COLUMNS: Record<string, { name: string; nullable?: boolean; default?: number }[]> = {
  sales: ['subtotal', 'discount_total', 'tax_total', 'total', 'paid_total', 'change_due', 'rounding_total', 'cart_discount_value', 'refunded_total'].map(
    (name) => ({ name, default: 0 })
  ),
  sale_items: ['line_discount', 'cart_discount_share', 'tax_total', 'subtotal', 'total', 'refunded_amount', 'refunded_tax'].map((name) => ({ name, default: 0 })),
  payments: [{ name: 'amount' }, { name: 'tendered', nullable: true }, { name: 'change', default: 0 }],
  refunds: [{ name: 'total' }, { name: 'tax_total' }],
  refund_items: [{ name: 'amount' }, { name: 'tax_amount' }],
  refund_payments: [{ name: 'amount' }],
  products: [{ name: 'stock', default: 0 }],
  shifts: [{ name: 'opening_float' }, { name: 'counted_cash', nullable: true }],
  cash_movements: [{ name: 'amount', default: 0 }],
  z_reports: ['sales_total', 'expected_cash', 'counted_cash', 'difference'].map((name) => ({ name })),
}

export default class extends BaseSchema {
  async up() {
    if (this.db.dialect.name !== 'mysql') return
    this.#retype((table, name) => table.bigInteger(name))
  }

  async down() {
    if (this.db.dialect.name !== 'mysql') return
    this.#retype((table, name) => table.integer(name))
  }

  #retype(column: (table: any, name: string) => any) {
    for (const [tableName, columns] of Object.entries(COLUMNS)) {
      this.schema.alterTable(tableName, (table) => {
        for (const spec of columns) {
          const definition = column(table, spec.name)
          if (spec.nullable) definition.nullable()
          else definition.notNullable()
          if (spec.default !== undefined) definition.defaultTo(spec.default)
          definition.alter()
        }
      })
    }
  }
}
