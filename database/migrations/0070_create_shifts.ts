import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    // A register's working period: opened with a float, closed with a count and a Z report
    this.schema.createTable('shifts', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      // The register's id while the shift is open, null once closed: the unique key makes
      // "one open shift per register" a rule of the database, whatever two tills do at once
      table.integer('open_register_id').unsigned().nullable().unique()
      table.string('status', 8).notNullable()
      table.integer('opened_by').unsigned().notNullable().references('users.id')
      table.timestamp('opened_at').notNullable()
      table.integer('opening_float').notNullable()
      // {"<denomination in minor units>": count} when the float was counted note by note
      table.text('float_counts').nullable()
      table.integer('closed_by').unsigned().nullable().references('users.id')
      table.timestamp('closed_at').nullable()
      table.integer('counted_cash').nullable()
      table.text('counted_counts').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['register_id', 'opened_at'])
      table.index(['store_id', 'opened_at'])
    })

    // Cash put into or taken out of the drawer outside a sale, and drawer openings without a sale
    this.schema.createTable('cash_movements', (table) => {
      table.increments('id')
      table.integer('shift_id').unsigned().notNullable().references('shifts.id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('user_id').unsigned().notNullable().references('users.id')
      // cash_in, cash_out, no_sale
      table.string('kind', 10).notNullable()
      table.integer('amount').notNullable().defaultTo(0)
      table.string('reason', 255).nullable()
      table.timestamp('created_at').notNullable()
      table.index(['shift_id', 'kind'])
    })

    // Z reports, written once at close and never recomputed: the figures as columns and the
    // whole report as a JSON snapshot. Numbered without gaps per register.
    this.schema.createTable('z_reports', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      table.integer('shift_id').unsigned().notNullable().references('shifts.id').unique()
      table.integer('number').notNullable()
      table.integer('sales_count').notNullable()
      table.integer('sales_total').notNullable()
      table.integer('expected_cash').notNullable()
      table.integer('counted_cash').notNullable()
      table.integer('difference').notNullable()
      table.text('snapshot', 'mediumtext').notNullable()
      table.timestamp('created_at').notNullable()
      table.unique(['register_id', 'number'])
      table.index(['store_id', 'created_at'])
    })

    this.schema.alterTable('registers', (table) => {
      // The shift a completing sale is stamped with; read under the register's row lock by checkout
      table.integer('open_shift_id').unsigned().nullable()
      table.integer('last_z_number').notNullable().defaultTo(0)
    })

    this.schema.alterTable('sales', (table) => {
      table.integer('shift_id').unsigned().nullable()
      table.index(['shift_id', 'status'])
    })
  }

  async down() {
    this.schema.alterTable('sales', (table) => {
      table.dropIndex(['shift_id', 'status'])
      table.dropColumn('shift_id')
    })
    this.schema.alterTable('registers', (table) => {
      table.dropColumn('open_shift_id')
      table.dropColumn('last_z_number')
    })
    this.schema.dropTable('z_reports')
    this.schema.dropTable('cash_movements')
    this.schema.dropTable('shifts')
  }
}
