import { isLostConnection } from '#platform/lost_connections'

/*
| Fewer round trips for MySQL/MariaDB transactions. On this kind of machine a round trip costs
| more CPU (a socket write and a wake-up on both ends) than the small statements it carries, and
| a transaction spends two of them on BEGIN and COMMIT alone. Wrapping each pooled mysql2
| connection's query():
| - knex's BEGIN is held back and sent in front of the transaction's first statement (InnoDB takes
|   its snapshot at the first read anyway, so nothing changes in what the transaction sees);
| - a statement batch that ends in COMMIT (runStatements(trx, ..., { commit: true }) from the
|   code that owns the transaction, as its last step) commits in the same round trip, and the
|   COMMIT knex sends afterwards is answered without a round trip. A query sent on the
|   transaction after that fails loudly instead of running outside it.
| Callers see the same answers as before: the extra statements' results are taken out.
*/

const BEGIN = /^\s*BEGIN;?\s*$/i
const COMMIT = /^\s*COMMIT;?\s*$/i
const ROLLBACK = /^\s*ROLLBACK;?\s*$/i
/** How runStatements ends a batch that commits (see COMMITS) */
export const COMMIT_SUFFIX = ';\nCOMMIT'
const COMMITS = /;\nCOMMIT$/

const OK_HEADER = { fieldCount: 0, affectedRows: 0, insertId: 0, info: '', serverStatus: 0, warningStatus: 0, changedRows: 0 }

type Callback = (error: Error | null, rows?: any, fields?: any) => void

let sent = 0

/** How many queries (round trips) this process's pooled MySQL/MariaDB connections have sent */
export function mysqlRoundTrips() {
  return sent
}

/**
 * A connection lost while its COMMIT was on the way leaves the outcome unknown: the transaction
 * may have committed. Such an error is marked, so it is never retried as if nothing happened:
 * the client retries with its Idempotency-Key, which answers with the first result if it did.
 */
function outcomeOf(error: any, committing: boolean) {
  // A connection killed (1927) or a server shutting down (1053) under a COMMIT says so without a
  // fatal error: it may have committed just the same
  if (error && committing && (error.fatal || isLostConnection(error))) error.commitOutcomeUnknown = true
  return error
}

export function pipelineTransactions(connection: any) {
  const driverQuery = connection.query.bind(connection)
  const query = (options: any, bindings: any, callback: any) => {
    sent++
    return driverQuery(options, bindings, callback)
  }
  const state = { beginHeld: false, committed: false }
  const answer = (callback: Callback) => process.nextTick(callback, null, { ...OK_HEADER }, undefined)

  connection.query = (options: any, bindings: any, callback: any) => {
    if (typeof bindings === 'function') {
      callback = bindings
      bindings = undefined
    }
    const sql: unknown = typeof options === 'string' ? options : options?.sql
    if (typeof sql !== 'string' || typeof callback !== 'function') {
      // A streamed query (no callback): a held-back BEGIN goes first, on its own (mysql2 runs a
      // connection's commands in order), so the stream still reads inside the transaction
      if (state.beginHeld) {
        state.beginHeld = false
        query('BEGIN', undefined, () => {})
      }
      return query(options, bindings, callback)
    }

    if (BEGIN.test(sql)) {
      state.beginHeld = true
      state.committed = false
      return answer(callback)
    }
    if (COMMIT.test(sql) || ROLLBACK.test(sql)) {
      // Nothing was sent since BEGIN, or the last batch committed: there is nothing to end
      const nothingOpen = state.beginHeld || (state.committed && COMMIT.test(sql))
      state.beginHeld = false
      state.committed = false
      if (nothingOpen) return answer(callback)
      return query(options, bindings, (error: any, ...rest: any[]) => callback(outcomeOf(error, COMMIT.test(sql)), ...rest))
    }
    if (state.committed) {
      return process.nextTick(callback, new Error('This transaction was committed with its last statements; no query may follow in it'))
    }

    const prefixed = state.beginHeld
    const commits = COMMITS.test(sql)
    state.beginHeld = false
    const text = prefixed ? `BEGIN;\n${sql}` : sql
    const outgoing = typeof options === 'string' ? text : { ...options, sql: text }
    return query(outgoing, bindings, (error: Error | null, rows: any, fields: any) => {
      if (error) return callback(outcomeOf(error, commits))
      if (!prefixed && !commits) return callback(null, rows, fields)
      if (commits) state.committed = true
      // The answers of the statements the caller sent, without those of BEGIN and COMMIT
      const from = prefixed ? 1 : 0
      const to = commits ? rows.length - 1 : rows.length
      const own = rows.slice(from, to)
      const ownFields = Array.isArray(fields) ? fields.slice(from, to) : fields
      if (own.length === 1) return callback(null, own[0], Array.isArray(ownFields) ? ownFields[0] : ownFields)
      return callback(null, own, ownFields)
    })
  }
}
