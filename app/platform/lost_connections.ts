import { createRequire } from 'node:module'

/*
| A pooled MySQL/MariaDB connection that the server closed (a restart, a failover, wait_timeout, a
| KILL) is known dead only once the app has seen its close; the pool then drops it (knex checks
| the connection when it hands it out). A close that comes just as a query is sent on it, or that
| a network device between them never passes on, is seen by that query: it fails with the
| connection lost (PROTOCOL_CONNECTION_LOST, ECONNRESET, EPIPE, "closed state", or the server's
| "Connection was killed") although the database is back, and a plain read right after an outage
| answered 503. A KILL (a DBA's, a Galera node leaving) while a read runs is met the same way.
| Handled where every MySQL/MariaDB query of the app passes, knex's mysql2 client (_query), and
| without a round trip more: a ping before each checkout would cost the till's every scan one. On
| the class, not on one client: Lucid makes its knex clients itself (anew when a connection's
| config is patched, as runMigrations does), and knex makes each transaction's client from the
| class too, which is why a transaction's query is told apart by its client (transacting).
| - A query that meets a lost connection makes the pool refuse every connection opened before it
|   (openedSinceLastLoss, the pool's validate in config/database.ts): whatever closed one closed
|   the others, and the retry below must get a fresh one, not the next dead one from the pool.
| - A plain read outside a transaction (SELECTs and SHOWs only) runs once more, on a fresh
|   connection: running it again changes nothing. Nothing else is run again here. A transaction is
|   retried whole, or not, by db_transaction.ts; a write outside one may have been done before its
|   connection went (its client's retry, with an Idempotency-Key, decides). A query dropped at its
|   deadline (query_deadline.ts, ETIMEDOUT) did not lose its connection: it still answers 503 at
|   once. A database really down fails the second try too (refused, or no connection in time): 503.
*/

/** mysql2's refusal of a query on a connection it knows closed (nothing sent; it has no code) */
export const CLOSED_STATE = "Can't add new command when connection is in closed state"

const LOST = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE'])

// The server's own word that it is ending the connection, sent as the answer to the query before
// it closes: "Connection was killed" (1927: a KILL where MariaDB does not shut the socket first, a
// MaxScale in front of a cluster losing its node, or wsrep_reject_queries=ALL_KILL; mysql2 knows no
// name for it, so by number), "Server shutdown in progress" (1053: a node restarting mid-query),
// and MySQL 8's idle timeout (4031, by its message too: on MariaDB 4031 is a trigger's error, not
// a lost connection). None was run again before, and 1927 (no code) answered 500, not 503.
const ENDED = new Set([1927, 1053])
const IDLE_TIMEOUT = { errno: 4031, message: /disconnected by the server because of inactivity/i }

/** The connection the query was sent on was closed under it (mysql2's errors, or the server's word, for that) */
export function isLostConnection(error: any): boolean {
  if (LOST.has(error?.code) || ENDED.has(error?.errno) || String(error?.message ?? '').startsWith(CLOSED_STATE)) return true
  return error?.errno === IDLE_TIMEOUT.errno && IDLE_TIMEOUT.message.test(String(error?.sqlMessage ?? error?.message ?? ''))
}

// Every statement a SELECT or a SHOW (a batch of reads goes in one round trip: sql_batch.ts; a
// ";" inside a quoted text only makes a part that is not one, and the query is then not run
// again), and no named lock (Lucid's migration lock belongs to the connection that took it)
const READ = /^\s*(select|show)\b/i
const LOCK = /\b(get|release)_lock\s*\(/i

export function isPlainRead(sql: unknown): boolean {
  if (typeof sql !== 'string' || LOCK.test(sql)) return false
  const statements = sql.split(';').filter((part) => part.trim())
  return statements.length > 0 && statements.every((part) => READ.test(part))
}

/**
 * How many times a query met a lost connection that was opened after the one before. One count
 * for the process: a loss on one pool renews the others too (the app has one; a restore adds a second)
 */
let losses = 0

/** For the pool's afterCreate: notes when the connection was opened */
export function noteOpened(connection: any) {
  connection.lossesAtOpen = losses
}

/** For the pool's validate: whether no query has met a lost connection since this one was opened */
export function openedSinceLastLoss(connection: any): boolean {
  return connection.lossesAtOpen === losses
}

/** Installs the second try on knex's mysql2 client (every MySQL/MariaDB connection of the process) */
export function retryReadsOnLostConnections() {
  const client = createRequire(import.meta.url)('knex/lib/dialects/mysql2/index.js').prototype
  if (client.retriesLostReads) return
  client.retriesLostReads = true
  const query = client._query
  client._query = function (this: any, connection: any, obj: any) {
    return query.call(this, connection, obj).catch(async (error: unknown) => {
      if (!isLostConnection(error)) throw error
      // The connections opened with this one went with it; one opened before the last loss adds nothing
      if ((connection.lossesAtOpen ?? losses) === losses) losses++
      connection.__knex__disposed = error
      // A transaction's client (knex makes one per transaction) holds its connection: never here
      if (this.transacting || !isPlainRead(obj?.sql)) throw error
      // Given back first, so the second try never waits for the pool slot a dead connection holds
      // (a pool full of them would have waited out the acquire timeout); its owner's release is then a no-op
      this.releaseConnection(connection)
      const fresh = await this.acquireConnection()
      try {
        return await query.call(this, fresh, obj)
      } finally {
        this.releaseConnection(fresh)
      }
    })
  }
}
