import { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A one-row table that every first-run setup writes before it looks for a store
| (app/stores/store_setup_service.ts). On a Galera cluster two setups sent at once to two nodes
| each read no store (row locks are local to a node) and wrote rows with different keys, so both
| could commit: two stores, two admins (tests/cluster/setup_race.ts). Both now write the row keyed 1, and Galera's certification
| aborts the second at COMMIT; on one server the second waits for the first's lock. What the row
| holds does not matter (a restore may bring it or not): only that both setups write the same key.
*/
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('setup_lock', (table) => {
      table.integer('id').primary()
      // Changed by every setup that takes the row, so that each one writes it (a write that
      // changes nothing may not be replicated as one)
      table.integer('setups').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.dropTable('setup_lock')
  }
}
