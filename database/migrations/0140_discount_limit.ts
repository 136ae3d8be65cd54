import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A cashier gave any discount, up to 100%, without anyone's approval (a price override already
| needed a manager's PIN). A store now sets how far its cashiers may go on their own
| (stores.discount_limit, in basis points of the sale's amount before discounts: 2000 = 20%);
| beyond it a manager approves with their PIN. An open cart keeps the share a manager approved
| (sales.discount_approved_bp), so the cashier's later changes up to it need no second PIN.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('stores', (table) => {
      table.integer('discount_limit').notNullable().defaultTo(2000)
    })
    this.schema.alterTable('sales', (table) => {
      table.integer('discount_approved_bp').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('sales', (table) => table.dropColumn('discount_approved_bp'))
    this.schema.alterTable('stores', (table) => table.dropColumn('discount_limit'))
  }
}
