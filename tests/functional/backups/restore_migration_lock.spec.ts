import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { runBackup } from '#backups/backup_service'
import { ace, scratchTarget, sellingStore } from './helpers.js'

/*
| Lucid's migration lock on MariaDB is one per server (GET_LOCK('1')), not per database: a restore
| (or a start) while another process migrates, any database, could not take it. It then failed
| with "Migration completed, but unable to release database lock" (Lucid releases the lock it did
| not take, and that error hid the real one) where it should have waited: three restores failed so
| in one CI run, beside other suites migrating. Here the lock is held on a connection of the
| test's until pos:restore says it waits for it.
*/
test.group('A restore while another process holds the migration lock', () => {
  test('waits for the lock, then restores', async ({ assert }) => {
    const dir = mkdtempSync(join(app.makePath('tmp'), 'restore-lock-'))
    const fixture = await sellingStore()
    const { path } = await runBackup({ to: join(dir, 'source.jsonl.gz') })
    const target = await scratchTarget()
    const holder = await db.transaction()
    try {
      const [taken] = await holder.rawQuery("SELECT GET_LOCK('1', 30) AS taken")
      assert.equal(Number(taken[0].taken), 1)
      // Let go once the restore says it waits (or after a minute: it must not hang here)
      let released: Promise<unknown> | null = null
      const letGo = () => (released ??= holder.rawQuery("SELECT RELEASE_LOCK('1')").then((rows) => rows))
      const fallback = setTimeout(letGo, 60_000)
      const restore = await ace(['pos:restore', path], { ...target.env, BACKUP_DIR: dir, LOG_LEVEL: 'info' }, (out) => {
        if (out.includes('holds the migration lock')) letGo()
      })
      clearTimeout(fallback)
      await letGo()
      assert.equal(restore.code, 0, restore.out)
      const sales = await db.connection(target.name).from('sales').where('store_id', fixture.store.id).count('* as n')
      assert.isAbove(Number(sales[0].n), 0)
    } finally {
      await holder.commit()
      await target.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
    .skip(process.env.DB_CONNECTION !== 'mysql', 'SQLite takes no migration lock')
    .timeout(120_000)
})
