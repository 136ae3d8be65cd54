import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { DomainError } from '#exceptions/domain_error'
import type Store from '#models/store'
import type User from '#models/user'
import { inTransaction } from '#platform/db_transaction'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { recordAudit } from '#platform/audit_service'

/*
| The offline lease: the one device (a till's browser) that may number a register's sales by
| itself while the server is out of reach. A till takes it when it opens on its register and
| renews it every minute while online, saying how many offline sales it still has to sync; the
| answer hands it the register's last number and hash, from which its offline sales continue.
| Another device asking for a held register is refused with who holds it. A manager releases a
| lease in the back office (a lost or broken till); its unsynced sales then arrive as conflicts
| for review, never renumbered.
| The server knows a register has unsynced sales when its holder says so (it reports its queue
| when it renews, before and after syncing): the register's Z report waits for them
| (shift_service.ts asks pendingSync). A till that cannot reach the server cannot say; its
| sales sync when it is back, and land on the days they were made.
*/

export interface LeaseAnswer {
  register_id: number
  device_id: string
  last_number: number
  last_hash: string | null
}

export default class RegisterLeaseService {
  async take(user: User, store: Store, input: { device_id: string; register_id: number; pending: number }, ip?: string | null): Promise<LeaseAnswer> {
    return inTransaction(async (trx) => {
      const register = await trx.from('registers').where({ id: input.register_id, store_id: store.id }).forUpdate().first()
      if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
      if (register.lease_device_id && register.lease_device_id !== input.device_id) {
        const holder = register.lease_user_id ? await trx.from('users').where('id', register.lease_user_id).select('name').first() : null
        const since = register.lease_seen_at ? DateTime.fromJSDate(readTimestamp(register.lease_seen_at)).toUTC().toFormat("yyyy-LL-dd HH:mm 'UTC'") : 'a while'
        throw new DomainError(
          `${register.name} is held for offline selling by another till${holder ? ` (${holder.name}'s)` : ''}, last heard of ${since}. Use that till, or ask a manager to release it under Offline sales.`,
          { status: 409, code: 'register_leased', field: 'register_id' }
        )
      }
      await trx.from('registers').where('id', register.id).update({ lease_device_id: input.device_id, lease_user_id: user.id, lease_seen_at: dbTimestamp(), lease_pending: input.pending })
      if (register.lease_device_id !== input.device_id) {
        await recordAudit({ action: 'register_lease_taken', storeId: store.id, userId: user.id, subjectType: 'register', subjectId: register.id, data: { deviceId: input.device_id }, ip }, trx)
      }
      return { register_id: Number(register.id), device_id: input.device_id, last_number: Number(register.last_sale_number), last_hash: register.last_sale_hash ?? null }
    })
  }

  /** A manager frees a register from a till that will not come back (its sales become conflicts) */
  async release(user: User, store: Store, registerId: number, ip?: string | null) {
    const register = await db.from('registers').where({ id: registerId, store_id: store.id }).first()
    if (!register) throw new DomainError('This register does not exist in your store', { status: 404, code: 'not_found' })
    await db.from('registers').where('id', registerId).update({ lease_device_id: null, lease_user_id: null, lease_seen_at: null, lease_pending: 0 })
    await recordAudit({ action: 'register_lease_released', storeId: store.id, userId: user.id, subjectType: 'register', subjectId: registerId, data: { deviceId: register.lease_device_id, pending: Number(register.lease_pending) }, ip })
  }

  /** Why the register's Z report must wait for a till's offline sales, or null */
  async pendingSync(registerId: number): Promise<string | null> {
    const register = await db.from('registers').where('id', registerId).select('lease_pending').first()
    const pending = Number(register?.lease_pending ?? 0)
    if (!pending) return null
    return `This register's till has ${pending} offline sale${pending === 1 ? '' : 's'} not synced yet. Let it sync (it does by itself once online, or Sync now), then close the shift.`
  }

  /** Registers of the store with their lease, for the back office */
  async leases(storeId: number) {
    const rows = await db
      .from('registers')
      .leftJoin('users', 'users.id', 'registers.lease_user_id')
      .where('registers.store_id', storeId)
      .orderBy('registers.id')
      .select('registers.id', 'registers.name', 'registers.lease_device_id', 'registers.lease_seen_at', 'registers.lease_pending', 'users.name as holder')
    return rows.map((row) => ({ ...row, lease_seen_at: row.lease_seen_at ? DateTime.fromJSDate(readTimestamp(row.lease_seen_at)) : null }))
  }
}
