import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { DomainError } from '#exceptions/domain_error'
import type Register from '#models/register'
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
| The lease also guards the register online: a sale on a register another device holds is refused
| (refuseLeasedElsewhere), since it would take the number the holder's offline sales continue from.
| And it says whose names the till's offline sales may carry (mayNameSeller): the lease is in the
| name of the user signed in on the till; when it passes from one user to another on the same till
| (a manager signing in to send a cashier's queue), or its user signs out there, the server keeps
| who it was and when. That user's sales made until then sync in their name. What the till says it
| still holds (`pending`) only holds the Z report: a till can report anything.
*/

/** The holder's name: the user signed in on the till, or while no one is, the one who signed out there */
const HOLDER_JOIN = 'LEFT JOIN users ON users.id = COALESCE(registers.lease_user_id, registers.lease_prior_user_id)'

/** How far a till's clock may be ahead of the server's when its user changes (a sale made just before) */
const HANDOVER_CLOCK_MS = 2 * 60_000

export interface LeaseRequest {
  device_id: string
  register_id: number
  pending: number
}

/** A register another device holds, as a till page tells its cashier */
export interface HeldRegister {
  holder: string | null
  lastHeard: DateTime | null
}

/** Another device than `deviceId` holds the lease: the one rule of the refusal and of what the till shows */
export function leasedElsewhere(leaseDeviceId: string | null | undefined, deviceId: string | null | undefined) {
  return Boolean(leaseDeviceId) && leaseDeviceId !== deviceId
}

export interface LeaseAnswer {
  register_id: number
  device_id: string
  last_number: number
  last_hash: string | null
}

export default class RegisterLeaseService {
  async take(user: User, store: Store, input: LeaseRequest, ip?: string | null): Promise<LeaseAnswer> {
    return inTransaction(async (trx) => this.takeWithin(trx, user, store, input, ip))
  }

  /** The lease taken in the caller's transaction (a hand-off takes the register afresh in its own) */
  async takeWithin(trx: TransactionClientContract, user: User, store: Store, input: LeaseRequest, ip?: string | null): Promise<LeaseAnswer> {
    const register = await trx.from('registers').where({ id: input.register_id, store_id: store.id }).forUpdate().first()
    if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
    if (leasedElsewhere(register.lease_device_id, input.device_id)) {
      throw await leasedError(trx, register.id, 'Use that till, or ask a manager to release it under Offline sales.')
    }
    // The lease is in the name of the user signed in on the till. Passing from another user on the
    // same till, it keeps that user and the moment: their sales made until then are still theirs
    // to sync (mayNameSeller). A new device starts afresh
    const sameDevice = register.lease_device_id === input.device_id
    const passes = sameDevice && register.lease_user_id && Number(register.lease_user_id) !== user.id
    const prior = passes ? { lease_prior_user_id: register.lease_user_id, lease_prior_until: dbTimestamp() } : sameDevice ? {} : { lease_prior_user_id: null, lease_prior_until: null }
    await trx.from('registers').where('id', register.id).update({ lease_device_id: input.device_id, lease_user_id: user.id, ...prior, lease_seen_at: dbTimestamp(), lease_pending: input.pending })
    if (register.lease_device_id !== input.device_id) {
      await recordAudit({ action: 'register_lease_taken', storeId: store.id, userId: user.id, subjectType: 'register', subjectId: register.id, data: { deviceId: input.device_id }, ip }, trx)
    }
    return { register_id: Number(register.id), device_id: input.device_id, last_number: Number(register.last_sale_number), last_hash: register.last_sale_hash ?? null }
  }

  /** A manager frees a register from a till that will not come back (its sales become conflicts) */
  async release(user: User, store: Store, registerId: number, ip?: string | null) {
    const register = await db.from('registers').where({ id: registerId, store_id: store.id }).first()
    if (!register) throw new DomainError('This register does not exist in your store', { status: 404, code: 'not_found' })
    await db.from('registers').where('id', registerId).update({ lease_device_id: null, lease_user_id: null, lease_prior_user_id: null, lease_prior_until: null, lease_seen_at: null, lease_pending: 0 })
    await recordAudit({ action: 'register_lease_released', storeId: store.id, userId: user.id, subjectType: 'register', subjectId: registerId, data: { deviceId: register.lease_device_id, pending: Number(register.lease_pending) }, ip })
  }

  /**
   * A user signs out on a till (its device id comes with the sign-out form): the lease keeps no
   * one's name until the next user signs in there, and a sale in theirs made after now is not theirs
   */
  async signedOut(userId: number, deviceId: string | null | undefined) {
    if (!deviceId) return
    await db.from('registers').where({ lease_device_id: deviceId, lease_user_id: userId }).update({ lease_user_id: null, lease_prior_user_id: userId, lease_prior_until: dbTimestamp() })
  }

  /** Why the register's Z report must wait for a till's offline sales, or null */
  async pendingSync(registerId: number): Promise<string | null> {
    const register = await db.from('registers').where('id', registerId).select('lease_pending').first()
    const pending = Number(register?.lease_pending ?? 0)
    if (!pending) return null
    return `This register's till has ${pending} offline sale${pending === 1 ? '' : 's'} not synced yet. Let it sync (it does by itself once online, or Sync now), then close the shift.`
  }

  /**
   * Another device holds this register (the till page of a device that is not the holder): whose
   * till and when it was last heard of, for the banner of the till's page; null when the register is
   * free or this device holds it. The register's row read for the page carries lease_device_id, so
   * a free or own register costs no query; held elsewhere, one (the holder's name). The rule is the
   * refusal's (leasedElsewhere): a lease holds until its till is released, however long unheard of
   */
  async heldElsewhere(register: Register, deviceId: string | null | undefined): Promise<HeldRegister | null> {
    if (!leasedElsewhere(register.leaseDeviceId, deviceId)) return null
    const row = await db
      .from('registers')
      .joinRaw(HOLDER_JOIN)
      .where('registers.id', register.id)
      .select('registers.lease_device_id', 'registers.lease_seen_at', 'users.name as holder')
      .first()
    // Released (or taken by this very device) since the page's read of the register
    if (!row || !leasedElsewhere(row.lease_device_id, deviceId)) return null
    return { holder: row.holder ?? null, lastHeard: row.lease_seen_at ? DateTime.fromJSDate(readTimestamp(row.lease_seen_at)) : null }
  }

  /** The registers a till may be set to, each saying whether another device holds it (one query) */
  async choices(storeId: number, deviceId: string | null | undefined) {
    return (await this.leases(storeId)).map((row) => ({ ...row, heldElsewhere: leasedElsewhere(row.lease_device_id, deviceId) }))
  }

  /** Registers of the store with their lease, for the back office */
  async leases(storeId: number) {
    const rows = await db
      .from('registers')
      .joinRaw(HOLDER_JOIN)
      .where('registers.store_id', storeId)
      .orderBy('registers.id')
      .select('registers.id', 'registers.name', 'registers.lease_device_id', 'registers.lease_seen_at', 'registers.lease_pending', 'users.name as holder')
    return rows.map((row) => ({ ...row, lease_seen_at: row.lease_seen_at ? DateTime.fromJSDate(readTimestamp(row.lease_seen_at)) : null }))
  }
}

/**
 * An online sale (or a card payment that would complete one) on a register another device holds
 * for offline selling is refused: it would take the number that device's offline sales continue
 * from, and they would all conflict at sync. So is a refund or a void written to that register's
 * chain (`recording` names it): it moves the chain's head, which the holder's offline sales link
 * to just the same. The holder itself (its X-Till-Device header) works as always; a register
 * without a lease is anyone's. `register` is the row read under its lock (lease_device_id
 * included), so what is allowed costs no query.
 */
export function refuseLeasedElsewhere(
  trx: TransactionClientContract,
  register: { id: number; lease_device_id: string | null },
  deviceId: string | null | undefined,
  recording: 'sale' | 'return' = 'sale'
): Promise<never> | undefined {
  if (!leasedElsewhere(register.lease_device_id, deviceId)) return undefined
  const advice = recording === 'sale' ? 'Sell on that till' : 'Make it on that till (or pay the refund from another register)'
  return leasedError(trx, register.id, `${advice}, or ask a manager to release the register under Offline sales.`).then((error) => {
    throw error
  })
}

/** The same rule for a step that has not read the register yet (starting a card payment) */
export async function refuseLeasedRegisterOf(trx: TransactionClientContract, registerId: number, deviceId: string | null | undefined) {
  const register = await trx.from('registers').where('id', registerId).select('id', 'lease_device_id').first()
  if (register) await refuseLeasedElsewhere(trx, { id: Number(register.id), lease_device_id: register.lease_device_id ?? null }, deviceId)
}

/** 409 register_leased: which register, whose till holds it and when it was last heard of */
async function leasedError(trx: TransactionClientContract, registerId: number, advice: string) {
  const row = await trx
    .from('registers')
    .join('stores', 'stores.id', 'registers.store_id')
    .joinRaw(HOLDER_JOIN)
    .where('registers.id', registerId)
    .select('registers.name', 'registers.lease_seen_at', 'users.name as holder', 'stores.time_zone')
    .first()
  // On the store's clock, as every other time the staff see
  const since = row?.lease_seen_at ? DateTime.fromJSDate(readTimestamp(row.lease_seen_at)).setZone(row.time_zone || 'UTC').toFormat('yyyy-LL-dd HH:mm ZZZZ') : 'a while ago'
  return new DomainError(`${row?.name ?? 'This register'} is held for offline selling by another till${row?.holder ? ` (${row.holder}'s)` : ''}, last heard of ${since}. ${advice}`, {
    status: 409,
    code: 'register_leased',
    field: 'register_id',
  })
}

/** What mayNameSeller reads of the register (its locking read in the sync) */
export interface LeaseSellers {
  lease_device_id: string | null
  lease_user_id: number | null
  lease_prior_user_id: number | null
  lease_prior_until: unknown
}

/**
 * May an offline sale be recorded in the name it carries? The user signed in to sync it, yes. Else
 * only a user of the till that made it (the register's lease device): the one signed in there now,
 * or the one before, for a sale made before the till passed from them (signed out, or someone else
 * signed in), with the till's clock a little ahead allowed. What the till reports of its unsynced
 * sales counts for nothing here; a manager's name taken on the till's word is reviewed (namedByTill).
 */
export function mayNameSeller(sale: { user_id: number; device_id: string; completed_at: string }, signedInUserId: number, register: LeaseSellers) {
  if (sale.user_id === signedInUserId) return true
  if (!register.lease_device_id || register.lease_device_id !== sale.device_id) return false
  if (Number(register.lease_user_id) === sale.user_id) return true
  if (Number(register.lease_prior_user_id) !== sale.user_id || !register.lease_prior_until) return false
  return Date.parse(sale.completed_at) <= readTimestamp(register.lease_prior_until).getTime() + HANDOVER_CLOCK_MS
}

/** Why the sync refuses a sale mayNameSeller does not allow (a conflict kept before 0151 says only this) */
export const NAME_REFUSAL = "This offline sale was refused: its cashier is neither the user signed in to sync it nor a user of the till that holds this register when it was made. The sale is kept for a manager to review."

/** Whether a conflict's message is the sync's refusal of its seller's name, in this wording or the first one (e03058c: "…nor the one whose till holds this register") */
export function isNameRefusal(message: string) {
  return message.startsWith('This offline sale was refused: its cashier is neither the user signed in to sync it nor ')
}

/**
 * The lease as mayNameSeller read it when a sale reached the server, kept with the sale when it is
 * kept whole for review (offline_reviews.sent_lease), so that recording it later judges its name as
 * the sync did, whatever the lease became since
 */
export function leaseThen(register: LeaseSellers): LeaseSellers {
  return {
    lease_device_id: register.lease_device_id ?? null,
    lease_user_id: register.lease_user_id == null ? null : Number(register.lease_user_id),
    lease_prior_user_id: register.lease_prior_user_id == null ? null : Number(register.lease_prior_user_id),
    lease_prior_until: register.lease_prior_until ? readTimestamp(register.lease_prior_until).toISOString() : null,
  }
}

/**
 * A sale synced by someone other than the user it names: mayNameSeller takes that name on the
 * till's word (the till's lease, when it was made). A manager's name taken so is reviewed
 * (seller_handover), with the discount limit held as for a cashier: a cashier's tampered till could
 * put a sale in the name of a manager who used the till (never taking the lease in hers, or dating
 * the sale before the manager handed it over), past the limit's review.
 */
export function namedByTill(sale: { user_id: number }, signedInUserId: number) {
  return sale.user_id !== signedInUserId
}
