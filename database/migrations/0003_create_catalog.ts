import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('categories', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('name', 80).notNullable()
      table.string('color', 7).nullable()
      table.integer('position').notNullable().defaultTo(0)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['store_id', 'name'])
    })

    // The flat-rate tax calculator's rates: one rate per tax class per store
    this.schema.createTable('tax_rates', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.string('tax_class', 40).notNullable()
      table.string('name', 80).notNullable()
      // parts per million of the taxable amount: 8.875% = 88750
      table.integer('rate_ppm').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['store_id', 'tax_class'])
    })

    this.schema.createTable('products', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('category_id').unsigned().nullable().references('categories.id').onDelete('SET NULL')
      table.string('name', 200).notNullable()
      table.string('sku', 64).notNullable()
      table.integer('price').notNullable()
      table.integer('cost').notNullable().defaultTo(0)
      table.string('tax_class', 40).notNullable().defaultTo('standard')
      table.integer('stock').notNullable().defaultTo(0)
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('archived_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['store_id', 'sku'])
      table.index(['store_id', 'category_id'])
    })

    this.schema.createTable('product_barcodes', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('product_id').unsigned().notNullable().references('products.id').onDelete('CASCADE')
      table.string('code', 32).notNullable()
      table.unique(['store_id', 'code'])
      table.index(['product_id'])
    })

    // Each lower-cased word of a product's name, so "search as you type" is an index range scan
    // (word >= 'col' AND word < 'col\uffff') on SQLite and MySQL alike, not a scan of every product
    this.schema.createTable('product_words', (table) => {
      table.integer('store_id').unsigned().notNullable()
      table.string('word', 64).notNullable()
      table.integer('product_id').unsigned().notNullable().references('products.id').onDelete('CASCADE')
      table.primary(['store_id', 'word', 'product_id'])
      table.index(['product_id'])
    })
  }

  async down() {
    this.schema.dropTable('product_words')
    this.schema.dropTable('product_barcodes')
    this.schema.dropTable('products')
    this.schema.dropTable('tax_rates')
    this.schema.dropTable('categories')
  }
}
