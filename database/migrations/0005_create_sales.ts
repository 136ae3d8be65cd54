import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('sales', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      table.integer('user_id').unsigned().notNullable().references('users.id')
      table.integer('customer_id').unsigned().nullable().references('customers.id')
      // open (the cart being rung up), parked, completed, voided
      table.string('status', 16).notNullable()
      // till: rung up on a till screen; api: created through the REST API
      table.string('channel', 8).notNullable().defaultTo('till')
      // Gapless per register, given at completion
      table.integer('number').nullable()
      table.integer('subtotal').notNullable().defaultTo(0)
      table.integer('discount_total').notNullable().defaultTo(0)
      table.integer('tax_total').notNullable().defaultTo(0)
      table.integer('total').notNullable().defaultTo(0)
      table.integer('paid_total').notNullable().defaultTo(0)
      table.integer('change_due').notNullable().defaultTo(0)
      table.integer('rounding_total').notNullable().defaultTo(0)
      table.string('cart_discount_type', 8).nullable()
      table.integer('cart_discount_value').notNullable().defaultTo(0)
      table.string('note', 255).nullable()
      table.string('previous_hash', 64).nullable()
      table.string('hash', 64).nullable()
      table.timestamp('parked_at').nullable()
      table.timestamp('completed_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['register_id', 'number'])
      table.index(['store_id', 'status'])
      table.index(['register_id', 'status'])
      table.index(['store_id', 'completed_at'])
    })

    this.schema.createTable('sale_items', (table) => {
      table.increments('id')
      table.integer('sale_id').unsigned().notNullable().references('sales.id').onDelete('CASCADE')
      table.integer('product_id').unsigned().notNullable().references('products.id')
      table.string('name', 200).notNullable()
      table.string('sku', 64).notNullable()
      table.integer('quantity').notNullable()
      // The product's price when rung up, and the price charged (differs after an override)
      table.integer('list_price').notNullable()
      table.integer('unit_price').notNullable()
      table.integer('price_override_by').unsigned().nullable().references('users.id')
      table.string('discount_type', 8).nullable()
      table.integer('discount_value').notNullable().defaultTo(0)
      table.integer('line_discount').notNullable().defaultTo(0)
      table.integer('cart_discount_share').notNullable().defaultTo(0)
      table.string('tax_class', 40).notNullable()
      table.integer('tax_rate_ppm').notNullable().defaultTo(0)
      table.integer('tax_total').notNullable().defaultTo(0)
      table.integer('subtotal').notNullable().defaultTo(0)
      table.integer('total').notNullable().defaultTo(0)
      table.integer('position').notNullable().defaultTo(0)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['sale_id'])
      table.index(['product_id'])
    })

    this.schema.createTable('payments', (table) => {
      table.increments('id')
      table.integer('sale_id').unsigned().notNullable().references('sales.id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('user_id').unsigned().notNullable().references('users.id')
      table.string('method', 32).notNullable()
      // What the sale is credited; tendered - amount is the change handed back
      table.integer('amount').notNullable()
      table.integer('tendered').nullable()
      table.integer('change').notNullable().defaultTo(0)
      table.string('reference', 120).nullable()
      table.string('status', 16).notNullable().defaultTo('approved')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['sale_id'])
    })
  }

  async down() {
    this.schema.dropTable('payments')
    this.schema.dropTable('sale_items')
    this.schema.dropTable('sales')
  }
}
