import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/*
| Lucid's migration lock on MySQL/MariaDB is GET_LOCK('1'): one name for the whole database
| server, though it guards one database's schema. A process migrating one database held up the
| migrations of every other database on the server: a restore's scratch database waited for the
| live server's start, and `node ace migration:run` (which does not wait) failed with "unable to
| acquire/release database lock" while another database of the server migrated (a test suite's
| migrations beside a Docker check's, on one MariaDB). The lock is named after the database
| (DATABASE() of the connection that takes it, so no configuration is read): two processes
| migrating one database still wait for each other (runMigrations, migrations.ts).
| Lucid's dialects are not among its package's exports; the module is the one Lucid loads (one
| file, so one class), reached by its path.
*/

// GET_LOCK names are at most 64 characters: 11 + 40 + 1 + the key (Lucid's is 1)
const LOCK_NAME = "CONCAT('migrations ', LEFT(COALESCE(DATABASE(), ''), 40), ' ', ?)"

export async function lockMigrationsPerDatabase() {
  const lucid = createRequire(import.meta.url).resolve('@adonisjs/lucid')
  const { MysqlDialect } = await import(pathToFileURL(join(dirname(lucid), 'src/dialects/mysql.js')).href)
  const dialect = MysqlDialect.prototype
  if (dialect.locksPerDatabase) return
  dialect.locksPerDatabase = true
  dialect.getAdvisoryLock = async function (this: any, key: string | number, timeout = 0) {
    const response = await this.client.rawQuery(`SELECT GET_LOCK(${LOCK_NAME}, ?) AS lock_status`, [String(key), Number(timeout)])
    return response[0]?.[0]?.lock_status === 1
  }
  dialect.releaseAdvisoryLock = async function (this: any, key: string | number) {
    const response = await this.client.rawQuery(`SELECT RELEASE_LOCK(${LOCK_NAME}) AS lock_status`, [String(key)])
    return response[0]?.[0]?.lock_status === 1
  }
}
