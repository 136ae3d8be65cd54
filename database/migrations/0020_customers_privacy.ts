import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Customers can be erased (GDPR / CCPA): their row stays, anonymised, so their sales still add
| up; erased_at says when. An email is unique per store when given (emails are stored lower-cased;
| several customers may have none). Sales are found by customer for the purchase history.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('customers', (table) => {
      table.timestamp('erased_at').nullable()
      table.unique(['store_id', 'email'])
      table.index(['store_id', 'name'])
      table.index(['store_id', 'phone'])
    })
    this.schema.alterTable('sales', (table) => {
      table.index(['customer_id', 'id'])
    })
  }

  async down() {
    // InnoDB dropped the indexes it had made for the customer_id and store_id foreign keys once
    // these could serve them, and refuses to drop these ("needed in a foreign key constraint")
    if (this.db.dialect.name === 'mysql') {
      this.schema.alterTable('sales', (table) => table.index(['customer_id'], 'sales_customer_id_foreign'))
      this.schema.alterTable('customers', (table) => table.index(['store_id'], 'customers_store_id_foreign'))
    }
    this.schema.alterTable('sales', (table) => {
      table.dropIndex(['customer_id', 'id'])
    })
    this.schema.alterTable('customers', (table) => {
      table.dropIndex(['store_id', 'phone'])
      table.dropIndex(['store_id', 'name'])
      table.dropUnique(['store_id', 'email'])
      table.dropColumn('erased_at')
    })
  }
}
