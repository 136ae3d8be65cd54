import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { runBackup } from '#backups/backup_service'
import { ace, scratchTarget, sellingStore } from './helpers.js'

/*
| The migration lock on MariaDB (app/platform/migration_lock.ts). Lucid's was one per server
| (GET_LOCK('1')): a restore (or a start) while another process migrated any database could not
| take it, and failed with "Migration completed, but unable to release database lock" where it
| should have waited; `node ace migration:run`, which does not wait, failed so in CI beside other
| suites migrating. It is now the database's own: a restore waits for a process migrating its
| database, and a database migrates while another one of the server holds its lock. The lock is
| taken here as a migration takes it (the dialect's own call), on a connection of its own.
*/

/** The migration lock of the connection's database, held until released */
async function holdMigrationLock(connectionName: string) {
  const name = `${connectionName}_lock_holder`
  db.manager.add(name, { ...db.manager.get(connectionName)!.config, pool: { min: 1, max: 1 } })
  const holder = db.connection(name)
  if (!(await holder.dialect.getAdvisoryLock(1, 0))) throw new Error(`the migration lock of ${connectionName} is taken`)
  let released: Promise<unknown> | null = null
  return {
    release: () => (released ??= holder.dialect.releaseAdvisoryLock(1)),
    close: async () => {
      await db.manager.close(name)
      db.manager.release(name)
    },
  }
}

const mysqlOnly = process.env.DB_CONNECTION !== 'mysql'

test.group('The migration lock', () => {
  test('a restore waits for the process migrating its database, then restores', async ({ assert }) => {
    const dir = mkdtempSync(join(app.makePath('tmp'), 'restore-lock-'))
    const fixture = await sellingStore()
    const { path } = await runBackup({ to: join(dir, 'source.jsonl.gz') })
    const target = await scratchTarget()
    const lock = await holdMigrationLock(target.name)
    try {
      // Let go once the restore says it waits (or after a minute: it must not hang here)
      const fallback = setTimeout(lock.release, 60_000)
      const restore = await ace(['pos:restore', path], { ...target.env, BACKUP_DIR: dir, LOG_LEVEL: 'info' }, (out) => {
        if (out.includes('holds the migration lock')) lock.release()
      })
      clearTimeout(fallback)
      await lock.release()
      assert.equal(restore.code, 0, restore.out)
      assert.include(restore.out, 'holds the migration lock')
      const sales = await db.connection(target.name).from('sales').where('store_id', fixture.store.id).count('* as n')
      assert.isAbove(Number(sales[0].n), 0)
    } finally {
      await lock.release()
      await lock.close()
      await target.drop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
    .skip(mysqlOnly, 'SQLite takes no migration lock')
    .timeout(120_000)

  test('a database migrates while another database of the server holds its lock', async ({ assert }) => {
    const target = await scratchTarget()
    // The suite's own database holds its lock: migrating the empty scratch database does not wait
    const lock = await holdMigrationLock(db.primaryConnectionName)
    try {
      const run = await ace(['migration:run', '--force'], target.env, undefined, 60_000)
      assert.equal(run.code, 0, run.out)
      assert.notMatch(run.out, /unable to (acquire|release)/i)
      assert.isTrue(await db.connection(target.name).schema.hasTable('sales'))
    } finally {
      await lock.release()
      await lock.close()
      await target.drop()
    }
  })
    .skip(mysqlOnly, 'SQLite takes no migration lock')
    .timeout(120_000)
})
