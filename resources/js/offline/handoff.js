import { call } from './net.js'
import { clearHandedOver, heldByConflict } from './queue.js'

/*
| The hand-off (docs/offline-sync.md): a register whose sync stopped at a conflict keeps its later
| offline sales on the till (they are linked to the refused one). At each try the till offers them
| to the server (POST /till/offline/handoff); until a manager has looked (marked the conflict
| reviewed, or released the register) the answer is "waiting". Then the server keeps each one whole
| as a conflict for review and takes the register afresh for this till; the till clears them from
| its queue and continues from the register's own head. Sent in slices, and cleared only once the
| last slice is answered: a hand-off cut short is sent again, and the server keeps each sale once
| (by its client_uuid).
*/

const SLICE = 25

function body(sale) {
  const { state, problem, queued_at, ...rest } = sale
  return rest
}

/**
 * Offers every held register's sales; answers what happened to each:
 * {registerId, waiting} or {registerId, numbers, lease, leaseRefused} (a refusal is a `waiting`
 * with the server's reason). Throws Unreachable or SignedOut like the sync.
 */
export async function handOverHeld(db, deviceId) {
  const outcomes = []
  for (const { registerId, conflict, sales } of await heldByConflict(db)) {
    let answer = null
    const handed = []
    for (let start = 0; start < sales.length; start += SLICE) {
      const slice = sales.slice(start, start + SLICE)
      const last = start + SLICE >= sales.length
      const { status, data } = await call('POST', '/till/offline/handoff', { device_id: deviceId, register_id: registerId, conflict_uuid: conflict.client_uuid, pending: sales.length, sales: slice.map(body), last }, 30_000)
      // Refused for this register: said for it, and the other registers' hand-offs still go
      if (status !== 200) {
        answer = { registerId, waiting: `The held sales could not be handed over yet: ${data?.errors?.[0]?.message ?? `refused (${status})`}` }
        break
      }
      if (data.state === 'waiting') {
        answer = { registerId, waiting: data.message }
        break
      }
      handed.push(...data.handed_over, ...data.recorded)
      if (last) {
        await clearHandedOver(db, registerId, handed, data.lease)
        answer = { registerId, numbers: sales.map((s) => s.number), lease: data.lease, leaseRefused: data.lease_refused }
      }
    }
    outcomes.push(answer)
  }
  return outcomes
}
