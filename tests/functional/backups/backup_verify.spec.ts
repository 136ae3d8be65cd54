import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { cashIntoDrawer, createProduct } from '#tests/fixtures'
import { runBackup } from '#backups/backup_service'
import Register from '#models/register'
import { pluginPlan, RestoreError, verifyBackup } from '#backups/backup_restore'
import { skuClashes } from '#backups/sku_clashes'
import { ace, addRows, rewriteBackup, rollUpToday, scratchTarget, sellingStore, sqlite } from './helpers.js'

/*
| A backup file is not trusted (its sha256 is a checksum anyone can recompute): the plugin
| migrations its plugin_migrations rows name are run only when they are migration files of a
| plugin installed here, and a row naming anything else refuses the file before anything is
| written. And pos:backup-verify works in its scratch database only: the live database's rows
| stay as they are, and an empty (never migrated) one does not stop it.
*/

let dir: string
const previousDir = env.get('BACKUP_DIR')

/** A backup of the run's database with these plugin_migrations rows added, checksum recomputed */
async function craftedBackup(name: string, rows: { plugin_id: unknown; name: unknown }[]) {
  // A backup never replaces a file: the source of an earlier crafting goes first
  rmSync(join(dir, `source-${name}`), { force: true })
  const { path } = await runBackup({ to: join(dir, `source-${name}`) })
  const crafted = join(dir, name)
  rewriteBackup(path, crafted, (lines, manifest) => {
    addRows(lines, manifest, 'plugin_migrations', rows.map((row, i) => ({ id: 900_000 + i, migrated_at: '2026-01-01 00:00:00', ...row })))
  })
  return crafted
}

/**
 * Runs `pos:restore --force file` into a database that holds a row of its own; asserts that it
 * exits 1 with that row kept and no before-restore backup made, and answers what it printed
 */
async function refusedRestore(assert: Assert, file: string) {
  const target = await scratchTarget()
  try {
    await db.connection(target.name).schema.createTable('kept', (table) => table.integer('n'))
    await db.connection(target.name).table('kept').insert({ n: 7 })
    const before = readdirSync(dir)
    const run = await ace(['pos:restore', file, '--force'], { ...target.env, BACKUP_DIR: dir })
    assert.equal(run.code, 1, run.out)
    assert.deepEqual((await db.connection(target.name).from('kept').select('n')).map((r) => Number(r.n)), [7])
    assert.deepEqual(readdirSync(dir), before, 'no before-restore backup either')
    return run.out
  } finally {
    await target.drop()
  }
}

test.group('Backups: crafted files and the scratch database of a verify', (group) => {
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backup-verify-'))
    env.set('BACKUP_DIR', dir)
    return () => {
      env.set('BACKUP_DIR', previousDir ?? '')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('pos:backup-verify refuses a plugin migration name that is a path, and never imports it', async ({ assert }) => {
    // A module that leaves a mark when imported, and the name that reached it from a real plugin's folder
    const evil = join(dir, 'evil')
    const mark = join(dir, 'evil-ran')
    mkdirSync(evil)
    const module = `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(mark)}, 'ran')\nexport default class {}\n`
    writeFileSync(join(evil, 'm.ts'), module)
    writeFileSync(join(evil, 'm.js'), module)
    const name = `../../..${evil.slice(app.makePath().length)}/m`
    const crafted = await craftedBackup('path-name.jsonl.gz', [{ plugin_id: 'loyalty-points', name }])

    const run = await ace(['pos:backup-verify', crafted])
    assert.equal(run.code, 1, run.out)
    assert.include(run.out, `row 1 of plugin_migrations (plugin_id "loyalty-points", name ${JSON.stringify(name)}) does not name a plugin migration`)
    assert.isFalse(existsSync(mark), 'the named module was not imported')
  }).timeout(120_000)

  test('plugin ids and migration names are those of real plugins here, else the file is refused', async ({ assert }) => {
    const refused = async (row: { plugin_id: unknown; name: unknown }, expected: string) => {
      const crafted = await craftedBackup('refused.jsonl.gz', [row])
      const error = await pluginPlan(crafted, true).then(() => null, (thrown) => thrown)
      assert.instanceOf(error, RestoreError)
      assert.include(error.message, expected)
      const report = await verifyBackup(crafted)
      assert.lengthOf(report.problems, 1)
      assert.match(report.problems[0], /^restore failed: /)
      assert.include(report.problems[0], expected)
    }
    await refused({ plugin_id: '../../tmp/x', name: 'm' }, 'row 1 of plugin_migrations (plugin_id "../../tmp/x", name "m") does not name a plugin migration')
    await refused({ plugin_id: null, name: '0001_create_loyalty_points_ledger' }, 'row 1 of plugin_migrations (plugin_id null, name "0001_create_loyalty_points_ledger") does not name')
    await refused({ plugin_id: 'loyalty-points', name: '0001..create' }, 'does not name a plugin migration')
    await refused({ plugin_id: 'loyalty-points', name: '..' }, 'does not name a plugin migration')
    // A dot is part of real names (a plugin's 1.0_init.ts): such a name is looked for among the plugin's files
    await refused({ plugin_id: 'loyalty-points', name: '1.0_init' }, 'plugin loyalty-points has no migration 1.0_init here')
    await refused({ plugin_id: 'loyalty-points', name: '/etc/passwd' }, 'does not name a plugin migration')
    await refused({ plugin_id: 'loyalty-points', name: '0002_not_a_migration_here' }, 'plugin loyalty-points has no migration 0002_not_a_migration_here here')

    // A plugin not installed here is kept by a verify, refused by a restore; a real migration is run
    const missing = await craftedBackup('missing.jsonl.gz', [{ plugin_id: 'no-such-plugin', name: '0001_create_things' }])
    assert.include((await pluginPlan(missing, true)).missing, 'no-such-plugin')
    const error = await pluginPlan(missing, false).then(() => null, (thrown) => thrown)
    assert.instanceOf(error, RestoreError)
    assert.include(error.message, 'the backup holds tables of plugin no-such-plugin')
    const loyalty = join(app.makePath('plugins'), 'loyalty-points', 'migrations', '0001_create_loyalty_points_ledger.ts')
    const already = await db.from('plugin_migrations').where({ plugin_id: 'loyalty-points' }).first()
    if (!already) {
      const withLoyalty = await craftedBackup('loyalty.jsonl.gz', [{ plugin_id: 'loyalty-points', name: '0001_create_loyalty_points_ledger' }])
      // (allowMissing: other tests' plugins may have left rows of plugins outside this process's PLUGINS_PATH)
      assert.include((await pluginPlan(withLoyalty, true)).migrations.map((m) => m.path), loyalty)
      assert.notInclude((await verifyBackup(withLoyalty)).problems.join('\n'), 'restore failed')
    }
  }).timeout(120_000)

  test('pos:restore --force refuses such a file before it backs up or drops anything', async ({ assert }) => {
    const crafted = await craftedBackup('restore.jsonl.gz', [{ plugin_id: 'loyalty-points', name: '../../../tmp/x/m' }])
    const out = await refusedRestore(assert, crafted)
    assert.include(out, 'row 1 of plugin_migrations')
    assert.include(out, 'does not name a plugin migration')
  }).timeout(120_000)

  test('pos:restore --force refuses a backup of a newer version before it backs up or drops anything', async ({ assert }) => {
    const { path } = await runBackup({ to: join(dir, 'source-newer.jsonl.gz') })
    const newer = join(dir, 'newer.jsonl.gz')
    rewriteBackup(path, newer, (_lines, manifest) => manifest.schema.push('database/migrations/9999_from_the_future'))
    const out = await refusedRestore(assert, newer)
    assert.include(out, 'the backup comes from a newer version of the POS (migrations database/migrations/9999_from_the_future are unknown here): upgrade first')
  }).timeout(120_000)

  test('pos:restore --force of a file the database refuses partway puts the database back as it was', async ({ assert }) => {
    await sellingStore()
    const { path } = await runBackup({ to: join(dir, 'source-dup.jsonl.gz') })
    const target = await scratchTarget()
    try {
      const good = await ace(['pos:restore', path], { ...target.env, BACKUP_DIR: dir })
      assert.equal(good.code, 0, good.out)
      const salesIn = async () => Number((await db.connection(target.name).from('sales').count('* as n').first()).n)
      const sales = await salesIn()
      assert.isAbove(sales, 0)
      // A sale's row twice, the checksum recomputed: only the database refuses it, once the tables are dropped
      const doctored = join(dir, 'dup.jsonl.gz')
      rewriteBackup(path, doctored, (lines, manifest) => {
        const header = lines.findIndex((line) => !Array.isArray(line) && line.table === 'sales')
        lines.splice(header + 1, 0, lines[header + 1])
        manifest.tables.sales += 1
      })
      const failed = await ace(['pos:restore', doctored, '--force'], { ...target.env, BACKUP_DIR: dir })
      assert.equal(failed.code, 1, failed.out)
      assert.include(failed.out, 'Restore failed')
      // Before, the database was left with empty tables, and the server offered /setup to anyone
      assert.include(failed.out, 'the database was put back as it was before, from')
      assert.equal(await salesIn(), sales)
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('a verify leaves the live database\'s report summaries as they are', async ({ assert }) => {
    const fixture = await sellingStore()
    await rollUpToday(fixture.store)
    const row = await db.from('summary_sales').where('store_id', fixture.store.id).orderBy(['day', 'hour', 'register_id']).first()
    assert.isNotNull(row, 'the sales made a summary row')
    const key = { store_id: fixture.store.id, day: row.day, hour: row.hour, register_id: row.register_id }
    // Wrong on purpose: a rebuild (of the live database) would put the lines' sum back
    await db.from('summary_sales').where(key).update({ total: Number(row.total) + 7 })
    try {
      const { path } = await runBackup({ to: join(dir, 'summaries.jsonl.gz') })
      const report = await verifyBackup(path)
      assert.notInclude(report.problems.join('\n'), 'restore failed')
      const after = await db.from('summary_sales').where(key).first()
      assert.equal(Number(after.total), Number(row.total) + 7)
    } finally {
      await db.from('summary_sales').where(key).update({ total: row.total })
    }
  }).timeout(120_000)

  test('migration 0105 works the summaries out again in the database it migrates, from that database\'s lines', async ({ assert }) => {
    const fixture = await sellingStore()
    // A sale on a second register: down() adds the registers' rows of an hour up, up() splits them again
    const { sellFor } = await import('#tests/functional/backoffice/helpers')
    const second = await Register.create({ storeId: fixture.store.id, name: 'Register 2', lastSaleNumber: 0 })
    const product = await createProduct(fixture, { stock: 5 })
    // Cash goes into a register's drawer in an open shift
    await cashIntoDrawer(fixture, 0, second.id)
    await sellFor(fixture, [{ product, quantity: 1 }], second.id)
    await rollUpToday(fixture.store)
    const { path } = await runBackup({ to: join(dir, 'migration.jsonl.gz') })
    const { default: BySummaries } = await import('#database/migrations/0105_summaries_by_register')
    // Another database of the run's engine (restored by the command, which knows the test plugins)
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', path], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const client = db.connection(target.name)
      const byRegister = () => client.from('summary_sales').where('store_id', fixture.store.id).orderBy(['day', 'hour', 'register_id']).select('day', 'hour', 'register_id', 'sales_count', 'total')
      const expected = await byRegister()
      assert.sameMembers(expected.map((r) => Number(r.register_id)), [fixture.register.id, second.id])
      // Wrong on purpose, in that database only: the rebuild puts the lines' sums back
      await client.from('summary_sales').where('store_id', fixture.store.id).update({ total: 1 })

      await new BySummaries(client, 'down', false).execDown()
      const merged = await client.from('summary_sales').where('store_id', fixture.store.id).select('day', 'hour', 'sales_count', 'total')
      assert.equal(merged.reduce((sum, r) => sum + Number(r.sales_count), 0), 3)
      assert.equal(merged.reduce((sum, r) => sum + Number(r.total), 0), expected.reduce((sum, r) => sum + Number(r.total), 0))
      assert.equal(new Set(merged.map((r) => `${r.day}/${r.hour}`)).size, merged.length, 'one row an hour')

      await new BySummaries(client, 'up', false).execUp()
      assert.deepEqual(await byRegister(), expected)
    } finally {
      await target.drop()
    }
    // ... and the run's own database kept its rows (none was set to 1 there)
    const live = await db.from('summary_sales').where('store_id', fixture.store.id).where('total', 1).first()
    assert.isNull(live)
  }).timeout(120_000)

  test('SKUs that MariaDB takes as one are named before a restore there touches anything, and by a verify', async ({ assert }) => {
    const fixture = await sellingStore()
    const tea = await createProduct(fixture, { name: 'Clash Tea', sku: `clash-tea-${fixture.store.id}`, stock: 0 })
    const { path } = await runBackup({ to: join(dir, 'source-clashes.jsonl.gz') })
    // As a SQLite database from before migration 0112 (or with accented SKUs) holds them: a case pair,
    // an accent pair, and a pair only MariaDB's collation tells (a trailing space: its PAD SPACE)
    const crafted = join(dir, 'clashes.jsonl.gz')
    const id = fixture.store.id
    const copies = [`CLASH-TEA-${id}`, `café-${id}`, `CAFÉ-${id}`, `pad-${id}`, `pad-${id} `]
    rewriteBackup(path, crafted, (lines, manifest) => {
      const at = lines.findIndex((line) => !Array.isArray(line) && line.table === 'products')
      const columns: string[] = lines[at].columns
      const row = lines.slice(at + 1).find((line) => Array.isArray(line) && Number(line[columns.indexOf('id')]) === tea.id)
      const template = Object.fromEntries(columns.map((c, i) => [c, row[i]]))
      addRows(lines, manifest, 'products', copies.map((sku, i) => ({ ...template, id: 900_000 + fixture.store.id * 10 + i, sku, name: `Clash copy ${i}` })))
    })

    const ours = (await skuClashes(crafted)).filter((clash) => clash.storeId === fixture.store.id)
    assert.deepEqual(
      ours.map((clash) => clash.products.map((p) => p.sku)),
      [
        [`clash-tea-${fixture.store.id}`, `CLASH-TEA-${fixture.store.id}`],
        [`café-${fixture.store.id}`, `CAFÉ-${fixture.store.id}`],
      ]
    )
    const report = await verifyBackup(crafted)
    assert.notInclude(report.problems.join('\n'), 'restore failed')
    assert.include(report.warnings.join('\n'), `"clash-tea-${fixture.store.id}" (product ${tea.id}) and "CLASH-TEA-${fixture.store.id}" (product ${900_000 + fixture.store.id * 10})`)
    assert.include(report.warnings.join('\n'), `"CAFÉ-${fixture.store.id}"`)

    if (sqlite()) {
      // SQLite's unique key compares them exactly: the restore goes ahead and keeps all four
      const target = await scratchTarget()
      try {
        const run = await ace(['pos:restore', crafted], { ...target.env, BACKUP_DIR: dir })
        assert.equal(run.code, 0, run.out)
        const skus = await db.connection(target.name).from('products').where('store_id', id).where((q) => q.where('name', 'like', 'Clash copy %').orWhere('id', tea.id)).select('sku')
        assert.sameMembers(skus.map((r) => r.sku), [`clash-tea-${id}`, ...copies])
      } finally {
        await target.drop()
      }
    } else {
      // Asked of MariaDB itself: the pair that skuKey does not tell is named too
      const out = await refusedRestore(assert, crafted)
      assert.include(out, 'are one SKU on MariaDB, whose collation compares them without regard to case or accents')
      assert.include(out, `"clash-tea-${id}" (product ${tea.id}) and "CLASH-TEA-${id}" (product ${900_000 + id * 10})`)
      assert.include(out, `"café-${id}" (product ${900_000 + id * 10 + 1}) and "CAFÉ-${id}"`)
      assert.include(out, `"pad-${id}" (product ${900_000 + id * 10 + 3}) and "pad-${id} " (product ${900_000 + id * 10 + 4})`)
    }
  }).timeout(120_000)

  test('pos:backup-verify works when the configured database is empty (a fresh machine)', async ({ assert }) => {
    const fixture = await sellingStore()
    const { path } = await runBackup({ to: join(dir, 'for-a-fresh-machine.jsonl.gz') })
    const empty = join(dir, 'empty.sqlite3')
    const run = await ace(['pos:backup-verify', path], { DB_CONNECTION: 'sqlite', SQLITE_PATH: empty })
    assert.notInclude(run.out, 'restore failed', run.out)
    assert.include(run.out, 'backup of', run.out)
    // (the run's database holds other tests' stores, some with chains broken on purpose)
    assert.notInclude(run.out, `store ${fixture.store.id},`)
    if (run.code !== 0) assert.include(run.out, 'hash chain of store', run.out)
  }).timeout(120_000)

  test('a temp folder that is missing or read-only is named with its setting, TMPDIR, in one line', async ({ assert, cleanup }) => {
    await sellingStore()
    const { path } = await runBackup({ to: join(dir, 'for-tmpdir.jsonl.gz') })
    // It said "ENOENT: no such file or directory, mkdtemp '/…/pos-verify-XXXXXX'" after the file's name
    const missing = join(dir, 'no-such-tmp')
    const run = await ace(['pos:backup-verify', path], { TMPDIR: missing })
    assert.equal(run.code, 1, run.out)
    const lines = run.out.trim().split('\n')
    assert.lengthOf(lines, 1, run.out)
    assert.include(lines[0], `the temp folder ${missing} (TMPDIR) does not exist`)
    // Read-only (chattr +i: root writes a chmod 555 folder)
    const locked = join(dir, 'locked-tmp')
    mkdirSync(locked)
    execFileSync('chattr', ['+i', locked])
    const previous = process.env.TMPDIR
    cleanup(() => {
      execFileSync('chattr', ['-i', locked])
      if (previous === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = previous
    })
    process.env.TMPDIR = locked
    await assert.rejects(() => verifyBackup(path), new RegExp(`the temp folder ${locked} \\(TMPDIR\\) cannot be written \\(EPERM\\)`))
  }).timeout(120_000)
})
