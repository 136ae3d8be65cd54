import type { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { inTransaction } from '#platform/db_transaction'
import type { TestStore } from '#tests/fixtures'
import type { SaleFigures } from '#sales/sale_summaries'

/*
| Late writes into the summaries and the roll-ups they meet: a late sale's figures, and two writers
| meeting on a row lock (one transaction held open while the test starts the other).
*/

/** What a cash sale of two of the product (4.50 each, no tax) made at `completedAt` adds to the summaries */
export function lateSaleFigures(fixture: TestStore, productId: number, completedAt: DateTime): SaleFigures {
  return { storeId: fixture.store.id, registerId: fixture.register.id, userId: fixture.users.cashier.id, completedAt, total: 900, taxTotal: 0, discountTotal: 0, rounding: 0, lines: [{ productId, quantity: 2, total: 900, taxTotal: 0 }], payments: [{ method: 'cash', amount: 900 }] }
}

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
