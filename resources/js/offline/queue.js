import { sealOfflineSale } from '../../../app/core/index.ts'
import { done, transaction } from './idb.js'

/*
| The queue of offline sales and each register's head (its last number and hash).
| A sale is numbered, linked and written in ONE readwrite transaction with the head, durability
| "strict": two tabs of the same till cannot take the same number (IndexedDB runs readwrite
| transactions on the same stores one after the other), and once the transaction has committed
| the sale is on disk, so the receipt may show.
*/

const headKey = (registerId) => `head:${registerId}`

export async function head(db, registerId) {
  const row = await transaction(db, 'meta', 'readonly', (s) => done(s.meta.get(headKey(registerId))))
  return row?.value ?? null
}

/**
 * The lease's head becomes the device's, unless sales of this register wait in the queue (they
 * continue the device's own head). `forward`: only a later head (an online sale's receipt).
 */
export function takeLeaseHead(db, lease, forward = false) {
  return transaction(
    db,
    ['meta', 'queue'],
    'readwrite',
    async (s) => {
      const waiting = await done(s.queue.index('order').count(IDBKeyRange.bound([lease.register_id, 0], [lease.register_id, Infinity])))
      if (waiting) return false
      const current = (await done(s.meta.get(headKey(lease.register_id))))?.value
      if (forward && current && current.last_number >= lease.last_number) return false
      s.meta.put({ key: headKey(lease.register_id), value: { last_number: lease.last_number, last_hash: lease.last_hash, device_id: lease.device_id } })
      return true
    },
    'strict'
  )
}

/** Numbers, links and stores the sale; resolves once it is on disk */
export function recordSale(db, draft, priced, storeId) {
  return transaction(
    db,
    ['meta', 'queue'],
    'readwrite',
    async (s) => {
      const current = (await done(s.meta.get(headKey(draft.register_id))))?.value
      if (!current) throw new Error('This till has no lease of its register yet: it cannot number a sale offline')
      const sale = sealOfflineSale(draft, priced, current, storeId)
      s.queue.add({ ...sale, state: 'waiting', problem: null, queued_at: Date.now() })
      s.meta.put({ key: headKey(draft.register_id), value: { ...current, last_number: sale.number, last_hash: sale.hash } })
      return sale
    },
    'strict'
  )
}

/** Every queued sale, oldest first per register */
export function queued(db) {
  return transaction(db, 'queue', 'readonly', (s) => done(s.queue.index('order').getAll()))
}

export function mark(db, sale, state, problem) {
  return transaction(db, 'queue', 'readwrite', (s) => done(s.queue.put({ ...sale, state, problem })), 'strict')
}

/**
 * Registers whose sync stopped at a conflict: the conflicting sale (the oldest held) and every
 * sale of that register the till holds, oldest first
 */
export async function heldByConflict(db) {
  const byRegister = new Map()
  for (const sale of await queued(db)) {
    if (!byRegister.has(sale.register_id)) byRegister.set(sale.register_id, [])
    byRegister.get(sale.register_id).push(sale)
  }
  return [...byRegister.entries()]
    .map(([registerId, sales]) => ({ registerId, conflict: sales.find((s) => s.state === 'conflict'), sales }))
    .filter((held) => held.conflict)
}

/**
 * After a hand-off, in ONE transaction: the handed-over sales leave the queue, and the register's
 * head becomes the fresh lease's (the register's own) when no other sale of it is left queued;
 * without a lease (another till holds the register) the old head goes: it cannot number offline
 */
export function clearHandedOver(db, registerId, clientUuids, lease) {
  return transaction(
    db,
    ['meta', 'queue'],
    'readwrite',
    async (s) => {
      for (const uuid of clientUuids) s.queue.delete(uuid)
      const left = await done(s.queue.index('order').count(IDBKeyRange.bound([registerId, 0], [registerId, Infinity])))
      if (left) return
      if (lease) s.meta.put({ key: headKey(registerId), value: { last_number: lease.last_number, last_hash: lease.last_hash, device_id: lease.device_id } })
      else s.meta.delete(headKey(registerId))
    },
    'strict'
  )
}
