import { test } from '@japa/runner'
import { readdirSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { scratchTarget, sqlite } from '../backups/helpers.js'

/*
| An upgrade (docs/deploy.md, "Upgrading"): a database made by an older version, holding rows,
| migrates forward with `node ace migration:run` (or `npm start`). The older version is this
| version's schema rolled back to before a migration; then every table gets a row, each
| foreign key pointing at the row of its table, as in a store that has sold; then the pending
| migrations run. On SQLite, knex added a foreign-key column by making the table again and
| dropping the old one, which the rows pointing at it refused: "DROP TABLE registers - FOREIGN KEY
| constraint failed" (migration 0090), and a store with sales could not upgrade.
*/

interface Column {
  name: string
  type: string
  nullable: boolean
  hasDefault: boolean
  length: number | null
}

async function tablesOf(client: QueryClientContract): Promise<string[]> {
  const rows = sqlite()
    ? await client.from('sqlite_master').where('type', 'table').whereNot('name', 'like', 'sqlite_%').select('name')
    : await client.from('information_schema.tables').whereRaw('table_schema = DATABASE()').select('table_name as name')
  return rows.map((row: any) => String(row.name)).filter((name) => !name.startsWith('adonis_schema'))
}

async function columnsOf(client: QueryClientContract, table: string): Promise<Column[]> {
  if (sqlite()) {
    const rows = await client.rawQuery(`PRAGMA table_info(\`${table}\`)`)
    return rows.map((r: any) => ({ name: r.name, type: String(r.type).toLowerCase(), nullable: !r.notnull && !r.pk, hasDefault: r.dflt_value !== null, length: lengthOf(r.type) }))
  }
  const rows = await client
    .from('information_schema.columns')
    .whereRaw('table_schema = DATABASE()')
    .where('table_name', table)
    .select('column_name as name', 'data_type as type', 'is_nullable as nullable', 'column_default as dflt', 'character_maximum_length as length')
  return rows.map((r: any) => ({ name: r.name, type: String(r.type).toLowerCase(), nullable: r.nullable === 'YES', hasDefault: r.dflt !== null, length: r.length === null ? null : Number(r.length) }))
}

function lengthOf(type: string) {
  const match = /\((\d+)\)/.exec(type)
  return match ? Number(match[1]) : null
}

/** Each foreign key of a table: its column and the table it points at */
async function foreignKeysOf(client: QueryClientContract, table: string): Promise<{ column: string; target: string }[]> {
  if (sqlite()) return (await client.rawQuery(`PRAGMA foreign_key_list(\`${table}\`)`)).map((r: any) => ({ column: r.from, target: r.table }))
  const rows = await client
    .from('information_schema.key_column_usage')
    .whereRaw('table_schema = DATABASE()')
    .where('table_name', table)
    .whereNotNull('referenced_table_name')
    .select('column_name as column', 'referenced_table_name as target')
  return rows.map((r: any) => ({ column: r.column, target: r.target }))
}

/** A plausible value of a column: the migrations that rework data read some of them */
function valueFor(column: Column) {
  const named: Record<string, string> = { time_zone: 'UTC', currency: 'USD', status: 'completed', email: 'a@example.com', day: '2026-01-02', month: '2026-01', method: 'cash', role: 'admin' }
  if (column.name in named) return named[column.name].slice(0, column.length ?? undefined)
  if (/int|bool|decimal|float|double|real|numeric/.test(column.type)) return 1
  if (/datetime|timestamp/.test(column.type)) return '2026-01-02 10:00:00'
  if (/^date/.test(column.type)) return '2026-01-02'
  if (/json/.test(column.type)) return '{}'
  if (/blob|binary/.test(column.type)) return null
  return 'x'.repeat(Math.min(column.length ?? 1, 1))
}

/** One row in every table, parents first, each foreign key pointing at its parent's row (id 1) */
async function fillEveryTable(client: QueryClientContract) {
  const tables = await tablesOf(client)
  const keys = new Map<string, { column: string; target: string }[]>()
  for (const table of tables) keys.set(table, await foreignKeysOf(client, table))
  const filled = new Set<string>()
  while (filled.size < tables.length) {
    const ready = tables.filter((t) => !filled.has(t) && keys.get(t)!.every((k) => filled.has(k.target) || k.target === t))
    if (!ready.length) throw new Error(`foreign keys in a cycle: ${tables.filter((t) => !filled.has(t)).join(', ')}`)
    for (const table of ready) {
      const row: Record<string, unknown> = {}
      for (const column of await columnsOf(client, table)) row[column.name] = column.name === 'id' ? 1 : valueFor(column)
      for (const key of keys.get(table)!) row[key.column] = 1
      await client.table(table).insert(row)
      filled.add(table)
    }
  }
  return tables
}

async function migrations(client: string, direction: 'up' | 'down', step?: number) {
  const runner = new MigrationRunner(db, app, { direction, connectionName: client, ...(step ? { step } : {}) })
  await runner.run()
  if (runner.error) throw runner.error
  return Object.keys(runner.migratedFiles)
}

test.group('Upgrading a database that holds rows', () => {
  test('from before {before}: every pending migration runs and every row is kept')
    // (every migration as the point of cut passed on SQLite once: 3 minutes or more on MariaDB; these are
    // the first, those that add a foreign key to a table with rows, and the one that rebuilds summaries)
    .with(['0002_create_users_and_tokens', '0010_create_refunds', '0090_create_offline_till', '0105_summaries_by_register', '0124_refund_shift', '0143_lease_prior_seller'].map((before) => ({ before })))
    .run(async ({ assert }, { before }) => {
      const target = await scratchTarget()
      try {
        const all = await migrations(target.name, 'up')
        const newer = all.filter((name) => name.split('/').pop()! >= before)
        assert.isAbove(newer.length, 0)
        await migrations(target.name, 'down', newer.length)

        const client = db.connection(target.name)
        const tables = await fillEveryTable(client)
        const ran = await migrations(target.name, 'up')
        assert.deepEqual(ran, newer)

        // (the summaries are worked out again from the lines by 0105: not rows of their own)
        for (const table of tables.filter((name) => !name.startsWith('summary_'))) assert.equal(Number((await client.from(table).count('* as n'))[0].n), 1, `the row of ${table}`)
        if (sqlite()) assert.deepEqual(await client.rawQuery('PRAGMA foreign_key_check'), [])
      } finally {
        await target.drop()
      }
    })
    .timeout(180_000)

  test('0149 stopped after adding its first column (its ALTERs commit one by one) runs again to the end', async ({ assert }) => {
    const target = await scratchTarget()
    try {
      await migrations(target.name, 'up')
      const client = db.connection(target.name)
      // 0149 and every migration after it rolled back (the database of a version before 0149)
      const fromThere = readdirSync(app.migrationsPath()).filter((file) => file >= '0149' && /\.(ts|js)$/.test(file)).length
      await migrations(target.name, 'down', fromThere)
      await client.schema.alterTable('summary_sales', (t) => {
        t.bigInteger('rounding_total').notNullable().defaultTo(0)
      })
      const ran = await migrations(target.name, 'up')
      assert.equal(ran[0], 'database/migrations/0149_summary_rounding')
      assert.lengthOf(ran, fromThere)
      for (const table of ['summary_sales', 'summary_cashiers']) assert.isTrue(await client.schema.hasColumn(table, 'rounding_total'), table)
    } finally {
      await target.drop()
    }
  }).timeout(120_000)
})
