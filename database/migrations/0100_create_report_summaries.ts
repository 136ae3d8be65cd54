import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| Daily summaries for the reports (issue 20): what the reports would sum from the sale lines,
| kept per store day (the store's own time zone) and written in the transaction of the sale,
| void, refund or exchange that changes them (app/sales/sale_summaries.ts). Each table holds
| only the dimensions a report groups by; names (products, categories, cashiers) and today's
| product cost are joined when a report reads them, as they were from the lines.
| `node ace pos:summaries --rebuild` recomputes them from the lines, `--check` compares.
| Days are 'yyyy-MM-dd' text: the same on both databases, and compared as text.
*/
export default class extends BaseSchema {
  async up() {
    // Completed sales by the store's day and hour (days, hours, stores), and the refunds made then
    this.schema.createTable('summary_sales', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.tinyint('hour').notNullable()
      table.integer('sales_count').notNullable().defaultTo(0)
      table.bigInteger('total').notNullable().defaultTo(0)
      table.bigInteger('tax_total').notNullable().defaultTo(0)
      table.bigInteger('discount_total').notNullable().defaultTo(0)
      table.integer('refund_count').notNullable().defaultTo(0)
      table.bigInteger('refund_total').notNullable().defaultTo(0)
      table.bigInteger('refund_tax').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'hour'])
    })

    // Approved payments of completed sales by tender
    this.schema.createTable('summary_tenders', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.string('method', 32).notNullable()
      table.integer('payment_count').notNullable().defaultTo(0)
      table.bigInteger('amount').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'method'])
    })

    // Completed sales by cashier
    this.schema.createTable('summary_cashiers', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.integer('user_id').unsigned().notNullable()
      table.integer('sales_count').notNullable().defaultTo(0)
      table.bigInteger('total').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'user_id'])
    })

    // Sold lines by product (categories are the product's current one, as the reports show), and returns
    this.schema.createTable('summary_products', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('day', 10).notNullable()
      table.integer('product_id').unsigned().notNullable()
      table.bigInteger('quantity').notNullable().defaultTo(0)
      table.bigInteger('total').notNullable().defaultTo(0)
      table.bigInteger('tax_total').notNullable().defaultTo(0)
      table.bigInteger('refunded_quantity').notNullable().defaultTo(0)
      table.bigInteger('refunded_total').notNullable().defaultTo(0)
      table.bigInteger('refunded_tax').notNullable().defaultTo(0)
      table.primary(['store_id', 'day', 'product_id'])
    })

    // The same by month ('yyyy-MM' of the store's days): a year's product report reads twelve
    // months of rows instead of 365 days of them (a busy store sells most of its catalog daily)
    this.schema.createTable('summary_product_months', (table) => {
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('month', 7).notNullable()
      table.integer('product_id').unsigned().notNullable()
      table.bigInteger('quantity').notNullable().defaultTo(0)
      table.bigInteger('total').notNullable().defaultTo(0)
      table.bigInteger('tax_total').notNullable().defaultTo(0)
      table.bigInteger('refunded_quantity').notNullable().defaultTo(0)
      table.bigInteger('refunded_total').notNullable().defaultTo(0)
      table.bigInteger('refunded_tax').notNullable().defaultTo(0)
      table.primary(['store_id', 'month', 'product_id'])
    })
  }

  async down() {
    for (const name of ['summary_product_months', 'summary_products', 'summary_cashiers', 'summary_tenders', 'summary_sales']) this.schema.dropTable(name)
  }
}
