import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { transactionRetries } from '#services/metrics'

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'])

/**
 * Runs work in one transaction, and runs it again (up to three times) when the database
 * chose it as a deadlock victim: the work is all-or-nothing, so a retry is safe.
 */
export async function inTransaction<T>(work: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work)
    } catch (error: any) {
      if (attempt >= 3 || !RETRYABLE.has(error?.code)) throw error
      transactionRetries.inc()
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10))
    }
  }
}

/** Knex answers an update with a count on some drivers and a one-element array on others */
export function affectedRows(result: unknown): number {
  return Array.isArray(result) ? Number(result[0] ?? 0) : Number(result ?? 0)
}
