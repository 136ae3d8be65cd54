import { setMeta, transaction } from './idb.js'
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
/**
 * Most JSON in one request, in UTF-8 bytes as sent, well under the server's 1 MB body limit
 * (config/bodyparser.ts): 50 sales of 120 lines passed it. Counted in characters, a store naming
 * its products in Chinese (3 bytes a character) sent batches over 1 MB, each refused (413) once
 */
const BATCH_BYTES = 600_000
const utf8 = new TextEncoder()

/** The first sales from `start` that fit one request: at least one, at most `size` sales and BATCH_BYTES */
function nextBatch(sales, start, size) {
  const batch = []
  let bytes = 0
  for (const sale of sales.slice(start, start + size)) {
    bytes += utf8.encode(JSON.stringify(body(sale))).length
    if (batch.length && bytes > BATCH_BYTES) break
    batch.push(sale)
  }
  return batch
}

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

export const PARKED_NOTICE = 'The cart open when the till went offline was parked: it is in Parked sales'

/** Sends what can be sent; throws Unreachable or SignedOut when that stops it */
export async function syncQueue(db) {
  let synced = 0
  for (const sales of sendable(await queued(db))) {
    let size = BATCH
    register: for (let start = 0; start < sales.length; ) {
      const batch = nextBatch(sales, start, size)
      const { status, data } = await call('POST', '/till/offline/sales', { sales: batch.map(body) }, 30_000)
      // Over the server's body limit all the same (a server configured lower): sent again in
      // halves. A batch too large was sent again whole every few seconds, for ever
      if (status === 413 && batch.length > 1) {
        size = Math.ceil(batch.length / 2)
        continue
      }
      if (status !== 200 || !Array.isArray(data?.results)) {
        const error = data?.errors?.[0]
        const index = /^sales\.(\d+)/.exec(error?.field ?? '')?.[1]
        // One sale of the batch refused by the server's validator ("sales.3.items.0.quantity"): it
        // is marked, and the sales before it are sent now (they waited for a Sync now before).
        // A refusal of the request itself (a register not of the store this browser now works
        // in) is no sale's fault: nothing is marked, and the queue waits for the next try
        if (status === 422 && index !== undefined && batch[Number(index)]) {
          await mark(db, batch[Number(index)], 'refused', error.message ?? 'Refused by the server')
          return synced + (await syncQueue(db))
        }
        throw new Error(error?.message ?? `The server answered ${status}`)
      }
      const byUuid = new Map(batch.map((sale) => [sale.client_uuid, sale]))
      const answered = data.results.filter((r) => byUuid.has(r.client_uuid) && (r.outcome === 'recorded' || r.outcome === 'replayed')).map((r) => r.client_uuid)
      await dropAll(db, answered)
      synced += answered.length
      // The online cart open when the till went offline, parked by the server: the page back online
      // says so (its lines were rung again offline; recalled, they would be charged twice)
      if (data.results.some((r) => r.parked_carts?.length)) await setMeta(db, 'parked_notice', { text: PARKED_NOTICE, at: Date.now() })
      const blocked = data.results.find((r) => byUuid.has(r.client_uuid) && BLOCKING.has(r.outcome))
      if (blocked) {
        // A refusal the server kept for a manager is held as a conflict is: handed over once looked at
        const state = blocked.kept_for_review ? 'conflict' : blocked.outcome
        await mark(db, byUuid.get(blocked.client_uuid), state, blocked.error?.message ?? 'Refused by the server')
        break register
      }
      start += batch.length
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
