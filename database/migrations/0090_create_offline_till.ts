import { BaseSchema } from '@adonisjs/lucid/schema'
import { addReferenceColumn } from '#database/reference_columns'

export default class extends BaseSchema {
  async up() {
    // A sale made on a till while the server was out of reach carries the UUID the till gave it:
    // the unique key records it once however often it arrives
    this.schema.alterTable('sales', (table) => {
      table.string('client_uuid', 36).nullable().unique()
      table.string('device_id', 36).nullable()
    })

    // The offline lease: one device (browser) at a time may number a register's sales on its own,
    // continuing from the number and hash it was handed; it reports what it still has to sync
    this.schema.alterTable('registers', (table) => {
      table.string('lease_device_id', 36).nullable()
      table.timestamp('lease_seen_at').nullable()
      table.integer('lease_pending').notNullable().defaultTo(0)
    })
    addReferenceColumn(this, 'registers', 'lease_user_id', 'users.id')

    // What a manager reviews after a sync: negative stock, a changed price or tax rate, an
    // archived product, and a sale refused because the register sold meanwhile (kept whole)
    this.schema.createTable('offline_reviews', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      table.integer('sale_id').unsigned().nullable().references('sales.id')
      table.string('client_uuid', 36).notNullable()
      // negative_stock, price_changed, tax_changed, product_archived, conflict
      table.string('kind', 20).notNullable()
      table.string('message', 255).notNullable()
      // The offline sale as the till sent it (for a conflict: everything needed to record it later)
      table.text('detail').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('resolved_at').nullable()
      table.integer('resolved_by').unsigned().nullable().references('users.id')
      table.unique(['client_uuid', 'kind'])
      table.index(['store_id', 'resolved_at'])
    })

    // The till's catalog refreshes by deltas: products changed since a moment
    this.schema.alterTable('products', (table) => {
      table.index(['store_id', 'updated_at'])
    })
  }

  async down() {
    this.schema.alterTable('products', (table) => table.dropIndex(['store_id', 'updated_at']))
    this.schema.dropTable('offline_reviews')
    this.schema.alterTable('registers', (table) => {
      table.dropForeign(['lease_user_id'])
      table.dropColumn('lease_device_id')
      table.dropColumn('lease_user_id')
      table.dropColumn('lease_seen_at')
      table.dropColumn('lease_pending')
    })
    this.schema.alterTable('sales', (table) => {
      table.dropUnique(['client_uuid'])
      table.dropColumn('client_uuid')
      table.dropColumn('device_id')
    })
  }
}
