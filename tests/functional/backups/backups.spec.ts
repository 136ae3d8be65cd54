import { test } from '@japa/runner'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import Register from '#models/register'
import CheckoutService from '#sales/checkout_service'
import { apiToken, cashIntoDrawer, createProduct, createStore } from '#tests/fixtures'
import { backupLog, runBackup, writeBackup } from '#backups/backup_service'
import { chainProblems, restoreInto, stockLedgerProblems, verifyBackup, withScratchDatabase } from '#backups/backup_restore'
import { scheduleBackups } from '#backups/backup_schedule'
import { lastDayOver } from '#sales/summary_days'
import { ace, addRows, withoutMigration, editRow, joinEveryStore, lastLine, rewriteBackup, rollUpToday, scratchTarget, sellingStore } from './helpers.js'

/*
| pos:backup while four API clients sell, pos:restore into an empty database, pos:backup-verify
| on damaged and doctored files, and Settings -> Backups. On SQLite and on MariaDB.
| (The run's database holds every other test's stores too, some with chains broken on purpose:
| the checks here look at this test's store.)
*/

let dir: string
const previousDir = env.get('BACKUP_DIR')

test.group('Backups', (group) => {
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backups-'))
    env.set('BACKUP_DIR', dir)
    return () => {
      env.set('BACKUP_DIR', previousDir ?? '')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a backup taken while 4 clients sell restores every sale acknowledged before it began', async ({ client, assert }) => {
    const fixture = await createStore()
    const products = [await createProduct(fixture, { stock: 100_000 }), await createProduct(fixture, { stock: 100_000 })]
    const tokens = await Promise.all([0, 1, 2, 3].map(() => apiToken(client, fixture.users.cashier)))

    const acknowledged: number[] = []
    const failures: string[] = []
    let selling = true
    const seller = async (token: string, n: number) => {
      while (selling) {
        const response = await client.post('/api/sales').bearerToken(token).json({
          items: [{ product_id: products[n % 2].id, quantity: 1 + (n % 3) }, { product_id: products[(n + 1) % 2].id, quantity: 1 }],
          payment_method: 'cash',
        })
        if (response.status() === 201) acknowledged.push(response.body().id)
        else failures.push(`${response.status()} ${response.text().slice(0, 200)}`)
        // A till's pace, not a benchmark's: the data stays small and the test fast
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const clients = tokens.map((token, n) => seller(token, n))
    const deadline = Date.now() + 30_000
    while (acknowledged.length < 8 && !failures.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.isAtLeast(acknowledged.length, 8, `8 sales before the backup, within 30 s: ${failures.join('; ')}`)
    const beforeBackup = [...acknowledged]

    // The tills sell on until 8 more sales are acknowledged after the backup opened its snapshot
    // (or it ends): writes go on while it reads, and the data stays small
    const file = join(dir, 'while-selling.jsonl.gz')
    let atSnapshot: number | null = null
    const stopper = setInterval(() => {
      if (atSnapshot !== null && acknowledged.length >= atSnapshot + 8) selling = false
    }, 20)
    const backup = await ace(['pos:backup', '--to', file], {}, (out) => {
      if (atSnapshot === null && out.includes('snapshot open')) atSnapshot = acknowledged.length
    })
    const duringBackup = acknowledged.length - beforeBackup.length
    clearInterval(stopper)
    selling = false
    await Promise.all(clients)
    assert.notEqual(backup.code, 124, backup.out)
    assert.isNotNull(atSnapshot, backup.out)

    assert.deepEqual(failures, [])
    assert.equal(backup.code, 0, backup.out)
    assert.equal(lastLine(backup), file)
    assert.isAbove(duringBackup, 0, 'the tills kept selling while the backup ran')

    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', file], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const restored = await db.connection(target.name).from('sales').where('store_id', fixture.store.id).where('status', 'completed').select('id')
      const ids = new Set(restored.map((r) => Number(r.id)))
      for (const id of beforeBackup) assert.isTrue(ids.has(id), `sale ${id} acknowledged before the backup is restored`)
      // Whatever else was caught is whole: the chain verifies up to the register's last sale
      assert.isAtMost(ids.size, acknowledged.length)
      assert.deepEqual(await chainProblems(target.name, fixture.store.id), [])
      assert.deepEqual(await stockLedgerProblems(target.name, fixture.store.id), [])
      const register = await db.connection(target.name).from('registers').where('id', fixture.register.id).first()
      assert.equal(Number(register.last_sale_number), ids.size)

      // The restored database is not empty now: refused without --force, nothing written
      const refused = await ace(['pos:restore', file], { ...target.env, BACKUP_DIR: dir })
      assert.equal(refused.code, 1)
      assert.include(refused.out, 'holds data')
      assert.include(refused.out, '--force')

      // --force backs up what it replaces first, then restores
      await db.connection(target.name).from('stores').where('id', fixture.store.id).update({ name: 'Changed after the restore' })
      const forced = await ace(['pos:restore', file, '--force'], { ...target.env, BACKUP_DIR: dir })
      assert.equal(forced.code, 0, forced.out)
      const saved = /backed up what is replaced: (\S+)/.exec(forced.out)?.[1]
      assert.isString(saved, forced.out)
      assert.isTrue(existsSync(saved!))
      assert.match(saved!, /before-restore\.jsonl\.gz$/)
      const store = await db.connection(target.name).from('stores').where('id', fixture.store.id).first()
      assert.equal(store.name, fixture.store.name)
      // ... and that safety copy holds the state it replaced
      const check = await verifyBackup(saved!)
      assert.isNotNull(check.manifest)
      assert.notInclude(check.problems.join('\n'), 'checksum')
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('verify fails a damaged file (checksum) and pos:backup-verify a doctored chain (exit 1)', async ({ assert }) => {
    const fixture = await sellingStore()
    const sale = await db.from('sales').where('register_id', fixture.register.id).orderBy('id').first()
    const { path } = await runBackup({ to: join(dir, 'original.jsonl.gz') })

    // The untouched backup restores with this store's chain and ledger intact
    const clean = await verifyBackup(path)
    assert.deepEqual(clean.problems.filter((p) => p.includes(`store ${fixture.store.id},`)), [])

    // One byte changed, checksum left as it was
    const damaged = join(dir, 'damaged.jsonl.gz')
    rewriteBackup(path, damaged, (lines) => editRow(lines, 'sales', (row) => row.id === sale.id, (row) => (row.total += 1)), false)
    const damagedReport = await verifyBackup(damaged)
    assert.lengthOf(damagedReport.problems, 1)
    assert.include(damagedReport.problems[0], 'checksum mismatch')

    // The same change with the checksum recomputed: the hash chain names the sale
    const doctored = join(dir, 'doctored.jsonl.gz')
    rewriteBackup(path, doctored, (lines) => editRow(lines, 'sales', (row) => row.id === sale.id, (row) => (row.total += 1)))
    const doctoredRun = await ace(['pos:backup-verify', doctored])
    assert.equal(doctoredRun.code, 1, doctoredRun.out)
    assert.notInclude(doctoredRun.out, 'checksum mismatch')
    assert.include(doctoredRun.out, `sale Register 1 #${sale.number} (id ${sale.id}) was altered`)

    // A byte of the compressed data flipped (a bad disk): refused in words, not with zlib's stack
    // trace from an error event nobody listened to (both commands died that way)
    const bytes = readFileSync(path)
    bytes[Math.floor(bytes.length / 2)] ^= 0xff
    const flipped = join(dir, 'flipped.jsonl.gz')
    writeFileSync(flipped, bytes)
    for (const command of [['pos:backup-verify', flipped], ['pos:restore', flipped]]) {
      const run = await ace(command)
      assert.equal(run.code, 1, run.out)
      assert.include(run.out, 'unreadable backup')
      assert.notInclude(run.out, 'Unhandled')
    }
  }).timeout(180_000)

  test('a backup whose stock no longer equals its ledger fails verify', async ({ assert }) => {
    const fixture = await sellingStore()
    const product = await db.from('products').where('store_id', fixture.store.id).first()
    const { path } = await runBackup({ to: join(dir, 'stock.jsonl.gz') })
    const doctored = join(dir, 'stock-doctored.jsonl.gz')
    rewriteBackup(path, doctored, (lines) => editRow(lines, 'products', (row) => row.id === product.id, (row) => (row.stock += 5)))
    const report = await verifyBackup(doctored)
    assert.include(report.problems.join('\n'), `stock of product ${product.id} (${product.sku}) is ${Number(product.stock) + 5} but its ledger sums to ${Number(product.stock)}`)
  }).timeout(120_000)

  test('moving up: a backup made from SQLite restores into the run\'s engine with every row and the chain', async ({ assert }) => {
    const fixture = await sellingStore()
    const { path, manifest } = await runBackup({ to: join(dir, 'primary.jsonl.gz') })
    const fromSqlite = join(dir, 'from-sqlite.jsonl.gz')
    // The run's database as SQLite (what a store on the embedded database has), backed up there
    const sqliteManifest = await withScratchDatabase(async (scratch) => {
      await restoreInto(path, scratch, undefined, true)
      return writeBackup(fromSqlite, scratch)
    })
    assert.equal(sqliteManifest.engine, 'sqlite')
    assert.deepEqual(sqliteManifest.tables, manifest.tables)

    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', fromSqlite], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      for (const [table, rows] of Object.entries(manifest.tables)) {
        if (table.startsWith('adonis_schema')) continue
        const count = await db.connection(target.name).from(table).count('* as n').first()
        assert.equal(Number(count.n), rows, `rows of ${table}`)
      }
      assert.deepEqual(await chainProblems(target.name, fixture.store.id), [])
      assert.deepEqual(await stockLedgerProblems(target.name, fixture.store.id), [])
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('a backup from before the summaries were kept per register restores with them rebuilt by register', async ({ assert }) => {
    const fixture = await sellingStore()
    // A sale on a second register in the same hour: that version kept one row for both
    const second = await Register.create({ storeId: fixture.store.id, name: 'Register 2', lastSaleNumber: 0 })
    const product = await createProduct(fixture, { stock: 5 })
    // Cash goes into a register's drawer in an open shift
    await cashIntoDrawer(fixture, 0, second.id)
    await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, second.id, { lines: [{ productId: product.id, quantity: 1 }], payment: { method: 'cash' } })
    await rollUpToday(fixture.store)
    const { path } = await runBackup({ to: join(dir, 'by-register.jsonl.gz') })
    // As that version wrote it: no migration 0105 in its schema, and the two tables' rows of a
    // store's day and hour (or tender) added up over its registers
    const old = join(dir, 'before-by-register.jsonl.gz')
    const byRegister = (name: string) => name.includes('0105_summaries_by_register')
    const oldKeys: Record<string, string[]> = { summary_sales: ['store_id', 'day', 'hour'], summary_tenders: ['store_id', 'day', 'method'] }
    rewriteBackup(path, old, (lines, manifest) => {
      for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !byRegister(name))
      const out: any[] = []
      let table = ''
      let columns: string[] = []
      let merged: Map<string, Record<string, any>> | null = null
      const flush = () => {
        if (merged) out.push(...[...merged.values()].map((row) => Object.keys(row).map((c) => row[c])))
        if (merged) manifest.tables[table] = merged.size
        merged = null
      }
      for (const line of lines) {
        if (!Array.isArray(line)) {
          flush()
          ;({ table = '', columns = [] } = line)
          if (oldKeys[table]) {
            merged = new Map()
            line.columns = columns.filter((c) => c !== 'register_id')
          }
          out.push(line)
        } else if (merged) {
          const row: Record<string, any> = Object.fromEntries(columns.map((c, i) => [c, line[i]]))
          delete row.register_id
          const key = oldKeys[table].map((k) => row[k]).join('/')
          const kept = merged.get(key)
          if (!kept) merged.set(key, row)
          else for (const c of Object.keys(row)) if (!oldKeys[table].includes(c)) kept[c] = Number(kept[c]) + Number(row[c])
        } else out.push(line)
      }
      flush()
      lines.splice(0, lines.length, ...out)
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      assert.include(restore.out, 'rebuilt from its sales')
      const rows = await db.connection(target.name).from('summary_sales').where('store_id', fixture.store.id).groupBy('register_id').select('register_id').sum('sales_count as n')
      assert.sameDeepMembers(rows.map((r) => [Number(r.register_id), Number(r.n)]), [[fixture.register.id, 2], [second.id, 1]])
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('a backup from before the products\' months were kept only for months that are over restores without this month\'s rows', async ({ assert }) => {
    const fixture = await sellingStore()
    await rollUpToday(fixture.store)
    const { path } = await runBackup({ to: join(dir, 'months.jsonl.gz') })
    // As that version wrote it: no migration 0110 nor its table, and month rows for this month too
    const old = join(dir, 'before-months.jsonl.gz')
    const month = DateTime.now().setZone(fixture.store.timeZone).toFormat('yyyy-MM')
    const sold = await db.from('summary_products').where('store_id', fixture.store.id).first()
    rewriteBackup(path, old, (lines, manifest) => {
      withoutMigration(lines, manifest, '0110_product_month_rollups', 'summary_month_rollups')
      addRows(lines, manifest, 'summary_product_months', [{ store_id: fixture.store.id, month, product_id: sold.product_id, quantity: sold.quantity, total: sold.total, tax_total: sold.tax_total, refunded_quantity: 0, refunded_total: 0, refunded_tax: 0 }])
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      assert.equal(Number((await db.connection(target.name).from('summary_product_months').where({ store_id: fixture.store.id, month }).count('* as n').first()).n), 0)
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('a backup from before the days were rolled up restores with its days over marked rolled up', async ({ assert }) => {
    const fixture = await sellingStore()
    await rollUpToday(fixture.store)
    const { path } = await runBackup({ to: join(dir, 'days.jsonl.gz') })
    // As that version wrote it: no migration 0111 nor its table; its summary rows were exact
    const old = join(dir, 'before-days.jsonl.gz')
    rewriteBackup(path, old, (lines, manifest) => {
      withoutMigration(lines, manifest, '0111_summary_days_rolled', 'summary_days_rolled')
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const marker = await db.connection(target.name).from('summary_days_rolled').where('store_id', fixture.store.id).first()
      assert.equal(marker?.through_day, lastDayOver(fixture.store.timeZone))
      assert.isAbove(Number((await db.connection(target.name).from('summary_sales').where('store_id', fixture.store.id).count('* as n').first()).n), 0, 'its rows are kept')
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('the server\'s schedule backs up into BACKUP_DIR and logs the result', async ({ assert }) => {
    // A folder with no backup yet: the first one is due at once (else BACKUP_EVERY after the last)
    env.set('BACKUP_DIR', join(dir, 'scheduled'))
    const stop = scheduleBackups(3_600_000, 0)
    try {
      while (!backupLog().some((entry) => entry.reason === 'scheduled')) await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      stop()
    }
    const entry = backupLog().find((e) => e.reason === 'scheduled')!
    assert.isTrue(entry.ok, entry.error)
    assert.isTrue(entry.present)
    assert.isAbove(entry.bytes, 0)
    env.set('BACKUP_DIR', dir)
  }).timeout(60_000)

  test('Settings -> Backups: an admin lists, starts and downloads backups; a manager gets 403', async ({ client, assert }) => {
    const fixture = await createStore()
    // Backups are for an admin of every store (backup_access.spec.ts)
    await joinEveryStore(fixture.users.admin.id)
    const started = await client.post('/backoffice/backups').form({}).withCsrfToken().loginAs(fixture.users.admin).redirects(0)
    started.assertStatus(302)
    assert.equal(started.header('location'), '/backoffice/backups')

    const page = await client.get('/backoffice/backups').loginAs(fixture.users.admin)
    page.assertStatus(200)
    const name = /href="\/backoffice\/backups\/(pos-backup-[^"]+)"/.exec(page.text())?.[1]
    assert.isString(name, 'the page links the new backup')
    assert.include(page.text(), 'manual')
    assert.include(page.text(), 'ok')
    assert.include(page.text(), 'href="/backoffice/backups"', 'the menu links the page')

    const download = await client.get(`/backoffice/backups/${name}`).loginAs(fixture.users.admin)
    download.assertStatus(200)
    assert.equal(download.header('content-type'), 'application/gzip')
    assert.include(download.header('content-disposition'), name!)

    for (const user of [fixture.users.manager, fixture.users.accountant]) {
      ;(await client.get('/backoffice/backups').loginAs(user)).assertStatus(403)
      ;(await client.get(`/backoffice/backups/${name}`).loginAs(user)).assertStatus(403)
      ;(await client.post('/backoffice/backups').form({}).withCsrfToken().loginAs(user)).assertStatus(403)
    }
    // Only files of the backup folder, by name
    ;(await client.get('/backoffice/backups/..%2F..%2Fpackage.json').loginAs(fixture.users.admin)).assertStatus(404)
    const menu = await client.get('/backoffice').loginAs(fixture.users.manager)
    assert.notInclude(menu.text(), 'href="/backoffice/backups"')
  }).timeout(60_000)
})
