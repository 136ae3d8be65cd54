import type { BaseSchema } from '@adonisjs/lucid/schema'

/*
| A nullable column that references another table's id, added to a table that already holds rows.
| On SQLite knex adds a foreign key by making the table again (a copy, DROP TABLE, a rename), and
| inside the migration's transaction the foreign keys stay on (SQLite ignores turning them off
| there): the DROP of a table that other rows point at (registers, refunds, sales) failed with
| "FOREIGN KEY constraint failed", so a store with sales could not migrate forward. SQLite adds such
| a column in place instead, `ALTER TABLE ... ADD COLUMN ... REFERENCES`, which keeps the rows, the
| transaction and the constraint. MySQL/MariaDB: knex's ALTER TABLE, as before.
*/
export function addReferenceColumn(migration: BaseSchema, tableName: string, column: string, target: `${string}.${string}`) {
  const [table, key] = target.split('.')
  if (migration.db.dialect.name.includes('sqlite')) {
    migration.schema.raw(`ALTER TABLE \`${tableName}\` ADD COLUMN \`${column}\` integer NULL REFERENCES \`${table}\` (\`${key}\`)`)
  } else {
    migration.schema.alterTable(tableName, (t) => t.integer(column).unsigned().nullable().references(target))
  }
}
