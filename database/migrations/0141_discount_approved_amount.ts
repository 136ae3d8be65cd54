import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A manager's approval of a discount past the store's limit was kept as a share only
| (sales.discount_approved_bp): 50% approved on a $2 cart let the cashier add $500 of goods at 50%
| without a second PIN. The cart now keeps the amount approved too (minor units), and a change
| within the approval must stay within both (app/core/discount_share.ts, discountNeedsManager).
| Open carts approved before this keep 0: their next raise of the discount asks for a PIN again,
| rather than taking their current amount (perhaps already past what was approved) as approved.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('sales', (table) => {
      table.bigInteger('discount_approved_amount').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('sales', (table) => table.dropColumn('discount_approved_amount'))
  }
}
