import { transaction } from './idb.js'
import { call } from './net.js'
import { mark, queued } from './queue.js'

/*
| Syncing the queue: per register, oldest first, in batches of up to BATCH sales
| (POST /till/offline/sales {sales: [...]}). The server answers each sale of a batch in order:
| recorded or replayed (recorded before: a retry, another tab) drops it from the queue; a conflict
| (someone sold on the register meanwhile) or a refusal keeps it, marked with the server's reason,
| and stops that register's sync: its later sales are linked to it and would be refused too (the
| server skips them); a manager looks at it in the back office. Anything else (the server out of
| reach, signed out, a 500) leaves the sales waiting for the next try.
*/

const BLOCKING = new Set(['conflict', 'refused'])
/** Most sales in one request: as many as the server takes (MAX_SYNC_BATCH of app/validators/offline.ts) */
const BATCH = 50

function body(sale) {
  const { state, problem, queued_at, ...rest } = sale
  return rest
}

/** The sales that may be sent, per register in the queue's order, each register up to its first blocked sale */
function sendable(sales) {
  const perRegister = new Map()
  const stopped = new Set()
  for (const sale of sales) {
    if (stopped.has(sale.register_id)) continue
    if (BLOCKING.has(sale.state)) {
      stopped.add(sale.register_id)
      continue
    }
    if (!perRegister.has(sale.register_id)) perRegister.set(sale.register_id, [])
    perRegister.get(sale.register_id).push(sale)
  }
  return [...perRegister.values()]
}

/** Sends what can be sent; throws Unreachable or SignedOut when that stops it */
export async function syncQueue(db) {
  let synced = 0
  for (const sales of sendable(await queued(db))) {
    register: for (let start = 0; start < sales.length; start += BATCH) {
      const batch = sales.slice(start, start + BATCH)
      const { status, data } = await call('POST', '/till/offline/sales', { sales: batch.map(body) }, 30_000)
      if (status !== 200 || !Array.isArray(data?.results)) {
        const error = data?.errors?.[0]
        // The whole batch refused by the server's validator ("sales.3.items.0.quantity"): that sale is
        // marked and its register stops there; the sales before it go with the next sync
        if (status === 422 && error) {
          const index = Number(/^sales\.(\d+)/.exec(error.field ?? '')?.[1] ?? 0)
          await mark(db, batch[index] ?? batch[0], 'refused', error.message ?? 'Refused by the server')
          break register
        }
        throw new Error(error?.message ?? `The server answered ${status}`)
      }
      const byUuid = new Map(batch.map((sale) => [sale.client_uuid, sale]))
      const answered = data.results.filter((r) => byUuid.has(r.client_uuid) && (r.outcome === 'recorded' || r.outcome === 'replayed')).map((r) => r.client_uuid)
      await dropAll(db, answered)
      synced += answered.length
      const blocked = data.results.find((r) => byUuid.has(r.client_uuid) && BLOCKING.has(r.outcome))
      if (blocked) {
        await mark(db, byUuid.get(blocked.client_uuid), blocked.outcome, blocked.error?.message ?? 'Refused by the server')
        break register
      }
    }
  }
  return synced
}

/** The sales the server has recorded leave the queue, a batch's in one transaction (one write to disk, not one per sale) */
function dropAll(db, clientUuids) {
  if (!clientUuids.length) return
  return transaction(db, 'queue', 'readwrite', (s) => {
    for (const uuid of clientUuids) s.queue.delete(uuid)
  }, 'strict')
}

/** What the status line shows: sales waiting, and those held back */
export async function queueSummary(db) {
  const sales = await queued(db)
  return {
    waiting: sales.length,
    blocked: sales.filter((s) => BLOCKING.has(s.state)),
  }
}
