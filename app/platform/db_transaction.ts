import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { markClaimWritten } from '#platform/idempotency_claim'
import { isDatabaseUnavailable } from '#exceptions/api_errors'
import { transactionRetries } from '#platform/metrics'

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
| writes stall about 5 s while a killed node is evicted).
*/

const CONFLICTS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'])

const maxAttempts = Math.max(1, Number(process.env.DB_RETRY_ATTEMPTS ?? 30))

export function retryReason(error: any): 'conflict' | 'node' | null {
  if (error?.commitOutcomeUnknown) return null
  if (CONFLICTS.has(error?.code)) return 'conflict'
  if (isDatabaseUnavailable(error) || error?.errno === 1047) return 'node'
  return null
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        await markClaimWritten(trx)
        return work(trx)
      })
    } catch (error: any) {
      const reason = retryReason(error)
      if (attempt >= maxAttempts || !reason) throw error
      transactionRetries.inc({ reason })
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)))
    }
  }
}

/** Knex answers an update with a count on some drivers and a one-element array on others */
export function affectedRows(result: unknown): number {
  return Array.isArray(result) ? Number(result[0] ?? 0) : Number(result ?? 0)
}
