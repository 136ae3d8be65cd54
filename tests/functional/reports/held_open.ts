import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { inTransaction } from '#platform/db_transaction'

/*
| Two writers meeting on a row lock: one transaction is held open while the test starts the other.
*/

/** A transaction that has done `first` and holds its locks until finish(), then does `last` and commits */
export async function heldOpen(first: (trx: TransactionClientContract) => Promise<unknown>, last?: (trx: TransactionClientContract) => Promise<unknown>) {
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let started!: () => void
  const begun = new Promise<void>((resolve) => (started = resolve))
  const done = inTransaction(async (trx) => {
    await first(trx)
    started()
    await held
    await last?.(trx)
  })
  await begun
  return {
    finish: () => {
      release()
      return done
    },
  }
}
