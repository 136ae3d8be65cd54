import db from '@adonisjs/lucid/services/db'
import { existsSync } from 'node:fs'

/*
| pos:start tries the MySQL/MariaDB settings with one connection of its own before anything uses
| the pool. Through the pool, a wrong DB_PASSWORD printed knex's "Acquire connection error" warning
| with mysql2's stack under the start's own error line: it read as a crash, not as a setting to fix.
*/

/** Why the configured MySQL/MariaDB cannot be used, naming the setting to fix, or null (SQLite: null) */
export async function databaseLoginProblem(connectionName = db.primaryConnectionName): Promise<string | null> {
  const config: any = db.manager.get(connectionName)?.config
  if (config?.client !== 'mysql2') return null
  const { socketPath, host, port, user, password, database, stream, connectTimeout } = config.connection
  const mysql = await import('mysql2/promise')
  try {
    // (stream: on a cluster, DB_HOSTS, the node the app's own connections go to)
    const connection = await mysql.createConnection({ socketPath, host, port, user, password, database, stream, connectTimeout })
    await connection.end()
    return null
  } catch (error) {
    const { code, message } = error as { code?: string; message: string }
    // (on a cluster, DB_HOST is not used: DB_HOSTS names the nodes, tried in turn by the stream)
    const where = stream ? `DB_HOSTS ${process.env.DB_HOSTS ?? ''}` : socketPath ? `DB_SOCKET ${socketPath}` : `DB_HOST ${host}:${port ?? 3306}`
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') return `Configuration error: the database server refused DB_USER "${user}" with this DB_PASSWORD (${message})`
    if (code === 'ER_DBACCESS_DENIED_ERROR') return `Configuration error: DB_USER "${user}" may not use DB_DATABASE "${database}" (${message})`
    if (code === 'ER_BAD_DB_ERROR') return `Configuration error: DB_DATABASE "${database}" does not exist on the server: create it (docs/deploy.md) (${message})`
    // Any other answer of the server (an authentication plugin, too many connections): it was reached
    if (code?.startsWith('ER_')) return `The database server (${where}) refused the connection: ${message}`
    return `The database server (${where}) cannot be reached: ${code ?? message}`
  }
}

/**
 * For the commands that read a store (audit:verify, pos:summaries, pos:backup): the configured
 * database holds none. Run without the server's settings (/etc/pos/pos.env is read by systemd
 * only), they went to SQLite in storage/ and printed "no such table: registers" with a stack,
 * leaving an empty database file behind. The SQLite file is looked for before any connection
 * would make it.
 */
export async function noStoreProblem(connectionName = db.primaryConnectionName): Promise<string | null> {
  const config: any = db.manager.get(connectionName)?.config
  const sqliteFile: string | null = config?.client === 'better-sqlite3' ? config.connection.filename : null
  const settings = `are the server's settings loaded? (docs/deploy.md)`
  if (sqliteFile && !existsSync(sqliteFile)) return `Configuration error: there is no POS database at ${sqliteFile} (DB_CONNECTION sqlite, SQLITE_PATH): ${settings}`
  if (await db.connection(connectionName).schema.hasTable('adonis_schema')) return null
  const where = sqliteFile ? `${sqliteFile} (DB_CONNECTION sqlite, SQLITE_PATH)` : `DB_DATABASE "${config?.connection?.database}"`
  return `Configuration error: ${where} holds no POS tables (no migration has run there): ${settings}`
}
