import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { markClaimWritten } from '#platform/idempotency_claim'
import { isDatabaseUnreachable } from '#exceptions/api_errors'
import { transactionRetries } from '#platform/metrics'
import { runStatements, type Statement, type StatementResult } from '#platform/sql_batch'

/*
| Whole-transaction retries. A transaction is all-or-nothing, so running it again is safe when
| the database says it did not commit:
| - a deadlock victim or a lock wait timeout, and on Galera a certification conflict at COMMIT
|   (another node committed a write to the same rows first: error 1213, routine when two app
|   servers write one store through two nodes);
| - a node that was gone before the COMMIT left (refused, lost, or out of the primary component):
|   the next attempt's connection goes to another node (database_nodes.ts).
| A connection lost while its COMMIT was on the way is not retried (commitOutcomeUnknown, set in
| mysql_pipelining.ts): the sale may exist; the client's retry with its Idempotency-Key answers.
| Backoff: exponential from 5 ms, capped at 500 ms, with full jitter, DB_RETRY_ATTEMPTS attempts
| in all (30: measured worst case on a 3-node cluster with one hot product, 28 attempts; and
| writes stall about 5 s while a killed node is evicted). When no connection can be had at all
| (refused, timed out, the pool's wait over), retries stop after 1.5 s: the database is gone, and
| the till waits for the 503 to go offline.
*/

const CONFLICTS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'])

const maxAttempts = Math.max(1, Number(process.env.DB_RETRY_ATTEMPTS ?? 30))

// No connection to be had at all (refused, or none made or freed in time): retried for this long
// only, then answered 503 (the till goes offline on it). Thirty attempts took 6.6 s against a
// refused port, and each timed-out one up to the pool's 4 s: a till waited minutes.
const NO_CONNECTION = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ETIMEDOUT'])
const NO_CONNECTION_RETRY_MS = 1500

export function retryReason(error: any): 'conflict' | 'node' | null {
  if (error?.commitOutcomeUnknown) return null
  if (CONFLICTS.has(error?.code)) return 'conflict'
  if (error?.transactionEnded) return 'node'
  if (isDatabaseUnreachable(error) || error?.errno === 1047) return 'node'
  return null
}

/** Whether the error says no connection could be had (or the one held stopped answering) */
function noConnection(error: any) {
  return NO_CONNECTION.has(error?.code) || error?.name === 'KnexTimeoutError'
}

export function backoffMs(attempt: number) {
  return Math.random() * Math.min(500, 5 * 2 ** attempt)
}

/**
 * Runs work in one transaction, and again (with backoff) while the database says it did not
 * commit. Inside a request with an Idempotency-Key, it first marks the key's claim as written,
 * in itself (idempotency_claim.ts).
 */
export async function inTransaction<T>(work: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(async (trx) => {
        await markClaimWritten(trx)
        return work(trx)
      })
    } catch (error: any) {
      const reason = retryReason(error)
      if (attempt >= maxAttempts || !reason) throw error
      if (noConnection(error) && Date.now() - started >= NO_CONNECTION_RETRY_MS) throw error
      transactionRetries.inc({ reason })
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)))
    }
  }
}

/**
 * One transaction, whose COMMIT is checked. knex's commit() resolves even when the COMMIT
 * statement fails (the error only rejects the transaction's executionPromise), so Lucid's
 * db.transaction(callback) reports a failed COMMIT as a success and runs its after-commit
 * hooks. A failed COMMIT is rare on one server, but it is how Galera refuses a transaction that
 * lost a certification conflict (error 1213 at COMMIT): answered as committed, such sales
 * existed on no node. Here a failed COMMIT throws, before any after-commit hook runs.
 * Every transaction of the app goes through here (or inTransaction): never db.transaction().
 */
export async function transaction<T>(work: (trx: TransactionClientContract) => Promise<T>, connectionName?: string): Promise<T> {
  const trx = checkCommit(await db.connection(connectionName).transaction())
  const last: AtCommit[] = []
  atCommit.set(trx, last)
  try {
    const result = await work(trx)
    // On MariaDB these travel with the COMMIT (sql_batch.ts), and knex's COMMIT is then answered
    // without a round trip (mysql_pipelining.ts)
    if (last.length && !trx.isCompleted) {
      const results = await runStatements(trx, last.flatMap((entry) => entry.statements), { commit: true })
      let from = 0
      for (const entry of last) {
        entry.written?.(results.slice(from, from + entry.statements.length))
        from += entry.statements.length
      }
    }
    if (!trx.isCompleted) await trx.commit()
    return result
  } catch (error: any) {
    if (!trx.isCompleted) await trx.rollback()
    // knex refuses a statement sent after the transaction ended under it (its connection lost,
    // or its node out of the cluster): nothing committed, since no COMMIT was sent; retry it
    if (typeof error?.message === 'string' && error.message.startsWith('Transaction query already complete')) error.transactionEnded = true
    throw error
  }
}

interface AtCommit {
  statements: Statement[]
  written?: (results: StatementResult[]) => void
}

const atCommit = new WeakMap<TransactionClientContract, AtCommit[]>()

/**
 * Statements sent last, with the COMMIT, in its round trip on MariaDB: writes to rows that every
 * till of a store shares (the report summaries of its day), so their row locks are held for that
 * one round trip, not for the rest of the transaction (tills would queue on them); and a
 * transaction's last writes, whose answers nothing in it waits for (a new API sale's rows, the
 * Idempotency-Key that names it). `written` gets their results (ids) before the transaction's
 * after-commit hooks run. Statements name the ids of earlier INSERTs by the statement
 * (insertedId(statement)): their places in the batch are only known at the COMMIT. Only in a
 * transaction opened by transaction() or inTransaction().
 */
export function writeAtCommit(trx: TransactionClientContract, statements: Statement[], written?: (results: StatementResult[]) => void) {
  const last = atCommit.get(trx)
  if (!last) throw new Error('writeAtCommit needs a transaction opened by transaction() or inTransaction()')
  last.push({ statements, written })
}

/** Makes trx.commit() throw when the COMMIT statement fails (see transaction()) */
export function checkCommit(trx: TransactionClientContract): TransactionClientContract {
  const knexTransaction = (trx as any).knexClient
  const commit = knexTransaction.commit
  // knex rejects executionPromise with the COMMIT's error; this handler runs before commit()
  // resolves (it was attached first), and it also keeps that rejection from going unhandled
  let failure: unknown = null
  knexTransaction.executionPromise.catch((error: unknown) => (failure = error ?? new Error('COMMIT failed')))
  knexTransaction.commit = async (value?: unknown) => {
    const connection = await knexTransaction.client.acquireConnection()
    await commit(value)
    if (!failure) return
    // SQLite keeps the transaction open when its COMMIT fails (MariaDB has rolled it back). It
    // is ended here, synchronously, before the connection's next user can send anything on it
    if (connection?.inTransaction === true) connection.exec('ROLLBACK')
    throw failure
  }
  return trx
}

/** Knex answers an update with a count on some drivers and a one-element array on others */
export function affectedRows(result: unknown): number {
  return Array.isArray(result) ? Number(result[0] ?? 0) : Number(result ?? 0)
}
