import { call } from './net.js'
import { drop, mark, queued } from './queue.js'

/*
| Syncing the queue: oldest first per register, one sale at a time (POST /till/offline/sales).
| 201 (recorded) and 200 (recorded before: a retry, another tab) drop the sale from the queue.
| A 409 register_conflict (someone sold on the register meanwhile) or a 422 (refused) keeps the
| sale, marked with the server's reason, and stops that register's sync: its later sales are
| linked to it and would be refused too; a manager looks at it in the back office.
| Anything else (the server out of reach, signed out, a 500) leaves the sale waiting for the next try.
*/

const BLOCKING = new Set(['conflict', 'refused'])

function body(sale) {
  const { state, problem, queued_at, ...rest } = sale
  return rest
}

/** Sends what can be sent; throws Unreachable or SignedOut when that stops it */
export async function syncQueue(db) {
  const stopped = new Set()
  let synced = 0
  for (const sale of await queued(db)) {
    if (stopped.has(sale.register_id)) continue
    if (BLOCKING.has(sale.state)) {
      stopped.add(sale.register_id)
      continue
    }
    const { status, data } = await call('POST', '/till/offline/sales', body(sale), 15_000)
    const error = data?.errors?.[0]
    if (status === 200 || status === 201) {
      await drop(db, sale.client_uuid)
      synced++
    } else if (status === 409 && error?.code === 'register_conflict') {
      await mark(db, sale, 'conflict', error.message)
      stopped.add(sale.register_id)
    } else if (status === 422) {
      await mark(db, sale, 'refused', error?.message ?? 'Refused by the server')
      stopped.add(sale.register_id)
    } else {
      throw new Error(error?.message ?? `The server answered ${status}`)
    }
  }
  return synced
}

/** What the status line shows: sales waiting, and those held back */
export async function queueSummary(db) {
  const sales = await queued(db)
  return {
    waiting: sales.length,
    blocked: sales.filter((s) => BLOCKING.has(s.state)),
  }
}
