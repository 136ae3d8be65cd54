import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| The plugin host's state: which plugins are enabled, their settings (secrets encrypted), the
| migrations each plugin ran, and the last error a plugin raised.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('plugins', (table) => {
      table.string('id', 64).primary()
      table.boolean('enabled').notNullable().defaultTo(false)
      table.string('version', 40).nullable()
      table.text('last_error').nullable()
      table.timestamp('last_error_at').nullable()
      table.timestamp('enabled_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })

    this.schema.createTable('plugin_settings', (table) => {
      table.increments('id')
      table.string('plugin_id', 64).notNullable()
      table.string('key', 64).notNullable()
      // JSON of the value; for a secret, the app's encryption of it
      table.text('value').nullable()
      table.boolean('encrypted').notNullable().defaultTo(false)
      table.timestamp('updated_at').notNullable()
      table.unique(['plugin_id', 'key'])
    })

    this.schema.createTable('plugin_migrations', (table) => {
      table.increments('id')
      table.string('plugin_id', 64).notNullable()
      table.string('name', 191).notNullable()
      table.timestamp('migrated_at').notNullable()
      table.unique(['plugin_id', 'name'])
    })
  }

  async down() {
    this.schema.dropTable('plugin_migrations')
    this.schema.dropTable('plugin_settings')
    this.schema.dropTable('plugins')
  }
}
