import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The hardware bridge: a bridge per register (paired with a one-time code, holding a token),
| the register's devices (printer, drawer through a printer, customer display) and the durable
| job queue the bridge works through.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('bridges', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      table.string('name', 120).notNullable()
      // sha256 of the bearer token the bridge keeps; the token itself is never stored
      table.string('token_hash', 64).notNullable().unique()
      // The bridge's last health report: its version, host and each device's state (JSON)
      table.text('status').nullable()
      table.timestamp('last_seen_at').nullable()
      table.timestamp('revoked_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['register_id', 'revoked_at'])
    })

    this.schema.createTable('bridge_pairing_codes', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      table.integer('created_by').unsigned().nullable().references('users.id')
      // sha256 of the code shown once in the back office; single use, short-lived
      table.string('code_hash', 64).notNullable().unique()
      table.timestamp('expires_at').notNullable()
      table.timestamp('used_at').nullable()
      table.timestamp('created_at').notNullable()
    })

    this.schema.createTable('devices', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      // printer, drawer (kicked through a printer), display (customer pole display)
      table.string('kind', 16).notNullable()
      table.string('name', 80).notNullable()
      // tcp (host:port, raw 9100) or file (a device file: /dev/usb/lp0, /dev/ttyUSB0, COM3)
      table.string('transport', 8).notNullable().defaultTo('tcp')
      table.string('host', 255).nullable()
      table.integer('port').nullable()
      table.string('path', 255).nullable()
      // a drawer opens through this printer
      table.integer('printer_id').unsigned().nullable()
      table.integer('drawer_pin').notNullable().defaultTo(2)
      table.integer('pulse_on_ms').notNullable().defaultTo(100)
      table.integer('pulse_off_ms').notNullable().defaultTo(500)
      table.integer('columns').notNullable().defaultTo(48)
      table.string('codepage_mapping', 16).notNullable().defaultTo('epson')
      table.string('code_style', 8).notNullable().defaultTo('qr')
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['register_id', 'kind'])
    })

    this.schema.createTable('print_jobs', (table) => {
      table.increments('id')
      table.integer('store_id').unsigned().notNullable().references('stores.id')
      table.integer('register_id').unsigned().notNullable().references('registers.id')
      // no foreign key: a job outlives a removed device and then fails saying so
      table.integer('device_id').unsigned().notNullable()
      // receipt, z_report, drawer, display, test
      table.string('kind', 16).notNullable()
      table.integer('sale_id').unsigned().nullable()
      // A sale's automatic receipt is queued once (receipt:<sale id>); reprints carry none
      table.string('unique_key', 64).nullable().unique()
      // The bytes for the device, base64
      table.text('payload', 'mediumtext').notNullable()
      // queued -> sent -> done | failed (a failed attempt goes back to queued with a backoff)
      table.string('status', 8).notNullable().defaultTo('queued')
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('next_attempt_at').notNullable()
      table.integer('bridge_id').unsigned().nullable()
      table.timestamp('sent_at').nullable()
      table.timestamp('completed_at').nullable()
      table.string('last_error', 500).nullable()
      // printed, but with a caveat (characters the printer's code pages lack)
      table.string('warning', 255).nullable()
      table.integer('created_by').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['register_id', 'status'])
      table.index(['sale_id'])
    })
  }

  async down() {
    this.schema.dropTable('print_jobs')
    this.schema.dropTable('devices')
    this.schema.dropTable('bridge_pairing_codes')
    this.schema.dropTable('bridges')
  }
}
