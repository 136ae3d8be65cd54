import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { pipelineTransactions } from '#platform/mysql_pipelining'
import { clusterNodes } from '#platform/database_nodes'
import { MYSQL_SESSION_ZONE } from '#platform/db_time'
import { refuseToStart } from '#start/configuration_error'
import { enforceQueryDeadline } from '#platform/query_deadline'
import { lockMigrationsPerDatabase } from '#platform/migration_lock'
import { noteOpened, openedSinceLastLoss, retryReadsOnLostConnections } from '#platform/lost_connections'

// Lucid's migration lock is named after the database, not one for the whole server (see the module)
await lockMigrationsPerDatabase()
// A plain read whose pooled connection the server had closed runs once more on a fresh one
retryReadsOnLostConnections()

// The embedded database lives in a file under storage/; a fresh checkout creates the folder
const sqliteFile = app.makePath(env.get('SQLITE_PATH') ?? 'storage/pos.sqlite3')
if (env.get('DB_CONNECTION') === 'sqlite') {
  try {
    mkdirSync(dirname(sqliteFile), { recursive: true })
  } catch (error) {
    refuseToStart([`SQLITE_PATH: its folder ${dirname(sqliteFile)} cannot be made (${(error as NodeJS.ErrnoException).code})`])
  }
}

/**
 * Knex prepares every SQL statement again on each run, which cost about a third of a sale's time
 * on SQLite. The connection keeps its last 500 statements instead (SQLite re-prepares a cached
 * one itself when the schema changes; better-sqlite3 runs each to completion, so sharing is safe).
 */
function cachePreparedStatements(connection: any) {
  const prepare = connection.prepare.bind(connection)
  const cache = new Map<string, unknown>()
  connection.prepare = (sql: string) => {
    let statement = cache.get(sql)
    if (statement) {
      // Most recently used last, so the oldest is dropped first
      cache.delete(sql)
    } else {
      statement = prepare(sql)
      if (cache.size >= 500) cache.delete(cache.keys().next().value!)
    }
    cache.set(sql, statement)
    return statement
  }
}

const migrations = { naturalSort: true, paths: ['database/migrations'] }
// Models declare their columns by hand; no generated schema classes
const schemaGeneration = { enabled: false }

export default defineConfig({
  connection: env.get('DB_CONNECTION'),
  prettyPrintDebugQueries: false,
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: { filename: sqliteFile },
      useNullAsDefault: true,
      migrations,
      schemaGeneration,
      pool: {
        afterCreate: (connection: any, done: (error: Error | null, connection: any) => void) => {
          // WAL lets readers run while a sale commits; the busy timeout queues writers instead of failing.
          // FULL: each COMMIT is on the disk before the sale is answered. NORMAL (WAL's usual
          // partner) survives a crash of the app but not a power cut or an OS crash: the last sales,
          // answered and their receipts printed, could roll back. MariaDB is set up the same way
          // (docs/deploy.md, innodb_flush_log_at_trx_commit = 1); no cost showed in pos:bench
          connection.pragma('journal_mode = WAL')
          connection.pragma('synchronous = FULL')
          connection.pragma('foreign_keys = ON')
          connection.pragma('busy_timeout = 5000')
          cachePreparedStatements(connection)
          done(null, connection)
        },
      },
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 3306),
        // A server on the same machine is cheaper to reach through its Unix socket than over TCP
        ...(env.get('DB_SOCKET') ? { socketPath: env.get('DB_SOCKET') } : {}),
        // On a cluster (DB_HOSTS), each new connection goes to the first healthy node
        ...(clusterNodes ? { stream: () => clusterNodes!.openSocket() } : {}),
        user: env.get('DB_USER', 'root'),
        password: env.get('DB_PASSWORD', ''),
        database: env.get('DB_DATABASE', 'pos'),
        // Money and counts come back as JS numbers, dates as UTC
        supportBigNumbers: true,
        timezone: 'Z',
        // A sale's independent writes go in one round trip (app/platform/sql_batch.ts); every
        // value in this app's SQL is a bound parameter, never text spliced into a statement.
        // (A mysql2 option that Lucid's connection type does not list.)
        // A server that takes the connection and never greets it (frozen, or packets dropped on
        // the way) fails in 3 s, not mysql2's 10 s: the till's request is answered 503 in time
        ...{ multipleStatements: true, connectTimeout: env.get('DB_CONNECT_TIMEOUT_MS', 3000) },
      },
      pool: {
        min: 0,
        max: env.get('DB_POOL_MAX', 20),
        // Waiting for a pooled connection (all busy, or none can be made) ends in a 503 after 4 s,
        // not knex's 60 s: a till waited a minute before it could go offline
        acquireTimeoutMillis: env.get('DB_ACQUIRE_TIMEOUT_MS', 4000),
        // Not handed out again once a query met a connection lost that was opened with it: the
        // outage that closed one closed the others (app/platform/lost_connections.ts). No round trip
        validate: openedSinceLastLoss,
        afterCreate: (connection: any, done: (error: Error | null, connection: any) => void) => {
          noteOpened(connection)
          // First, so that a query dropped at its deadline is seen by the wrappers below (a COMMIT's outcome unknown)
          enforceQueryDeadline(connection)
          // On a cluster, statements go one by one (see runStatements in sql_batch.ts); adopt sets the zone too
          if (clusterNodes) return clusterNodes.adopt(connection, env.get('DB_WSREP_SYNC_WAIT', 1), done)
          // Sessions in UTC, as the app writes times (db_time.ts), whatever the server's own zone;
          // the connection is handed out only once that is done, and not at all when it failed (knex
          // leaves a connection whose afterCreate failed open: closed here)
          connection.query(`SET SESSION ${MYSQL_SESSION_ZONE}`, (error: Error | null) => {
            if (error) {
              connection.destroy()
              return done(error, connection)
            }
            pipelineTransactions(connection)
            done(null, connection)
          })
        },
      },
      migrations,
      schemaGeneration,
    },
  },
})
