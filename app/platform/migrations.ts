import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'

/**
 * Runs the pending migrations of a connection (the default one unless named): pos:start, the
 * demo, the benches, the test suite and pos:restore all migrate here. Answers the files run.
 *
 * On MySQL/MariaDB Lucid takes its migration lock (GET_LOCK) and releases it in two queries that a
 * pool may run on two connections: the release then fails ("unable to release database lock"),
 * which stopped a restarted server from starting and failed restores on a loaded machine. One
 * connection while migrating keeps them together, and it is kept open (min 1): a pool may close a
 * connection idle for 30 s, which drops its lock, and on a loaded machine loading the migration
 * files after the lock was taken took that long (seen under a benchmark: the same error).
 */
export async function runMigrations(connectionName: string = db.primaryConnectionName): Promise<string[]> {
  const { MigrationRunner } = await import('@adonisjs/lucid/migration')
  const config = db.manager.get(connectionName)?.config
  const single = config?.client === 'mysql2'
  if (single) db.manager.patch(connectionName, { ...config, pool: { ...config.pool, min: 1, max: 1 } })
  try {
    for (let attempt = 1; ; attempt++) {
      const runner = new MigrationRunner(db as any, app, { direction: 'up', connectionName })
      // When the lock was not taken, Lucid still releases it, and that throws "unable to release
      // database lock", hiding why (runner.error): a restore or start next to another process
      // migrating failed so, where it should have waited
      await runner.run().catch((error) => {
        if (!runner.error) throw error
      })
      if (!runner.error) return Object.keys(runner.migratedFiles)
      // Another process migrating this database (migration_lock.ts: the lock is the database's)
      // holds it for a few seconds; wait for it, up to a minute
      if ((runner.error as any).code !== 'E_UNABLE_ACQUIRE_LOCK' || attempt >= 30) throw runner.error
      if (attempt === 1) logger.info('Another process holds the migration lock of this database: waiting for it (up to a minute)')
      await new Promise((resolve) => setTimeout(resolve, 2000))
    }
  } finally {
    if (single) db.manager.patch(connectionName, config!)
  }
}
