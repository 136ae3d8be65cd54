import { createHash, randomBytes, randomInt } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Bridge from '#models/bridge'
import Register from '#models/register'
import type Store from '#models/store'
import type User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import { dbTimestamp } from '#platform/db_time'
import { penalize } from '#platform/rate_limits'
import { affectedRows, inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dispatcher } from '#hardware/dispatcher'

/*
| Pairing: a manager asks for a one-time code for a register (8 characters, 10 minutes, single
| use, stored hashed). The bridge trades it for a long-lived token (stored hashed as well);
| pairing a new bridge revokes the register's previous one, so a register has one bridge.
*/

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' // no I, O, 0, 1: read aloud and typed without doubt
export const CODE_TTL_MINUTES = 10

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

/** "abcd-efgh" or "ABCDEFGH " as typed: the canonical form that was hashed */
export function normalizeCode(code: string) {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '')
}

export async function registerOf(store: Store, registerId: number) {
  const register = await Register.query().where({ id: registerId, store_id: store.id }).first()
  if (!register) throw notFound('The register')
  return register
}

export async function createPairingCode(store: Store, registerId: number, user: User) {
  const register = await registerOf(store, registerId)
  const raw = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
  const expiresAt = DateTime.utc().plus({ minutes: CODE_TTL_MINUTES })
  await db.table('bridge_pairing_codes').insert({
    store_id: store.id,
    register_id: register.id,
    created_by: user.id,
    code_hash: sha256(raw),
    expires_at: dbTimestamp(expiresAt),
    created_at: dbTimestamp(),
  })
  return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt, register }
}

/**
 * Trades a code for a token; a wrong, expired or used code is refused the same way. Ten
 * refusals from one address block pairing from it for 15 minutes (no guessing codes).
 */
export async function pairBridge(code: string, name: string, ip: string | null) {
  const [error, paired] = await penalize(pairLimit, `bridge-pair:${ip ?? 'unknown'}`, () => exchangeCode(code, name, ip))
  if (error) throw error
  return paired
}

const pairLimit = { requests: 10, duration: '15 mins', blockDuration: '15 mins' }

async function exchangeCode(code: string, name: string, ip: string | null) {
  const hash = sha256(normalizeCode(code))
  const token = `pb_${randomBytes(32).toString('base64url')}`
  const refused = () =>
    new DomainError('This pairing code is wrong, expired or already used. Ask for a new code in the back office (register → devices → pair).', {
      status: 401,
      code: 'invalid_pairing_code',
      field: 'code',
    })
  return inTransaction(async (trx) => {
    const row = await trx
      .from('bridge_pairing_codes')
      .where('code_hash', hash)
      .whereNull('used_at')
      .where('expires_at', '>', dbTimestamp())
      .first()
    if (!row) throw refused()
    // single use even when two bridges race with the same code
    const used = affectedRows(await trx.from('bridge_pairing_codes').where('id', row.id).whereNull('used_at').update({ used_at: dbTimestamp() }))
    if (!used) throw refused()
    const now = dbTimestamp()
    const replaced = await trx.from('bridges').where('register_id', row.register_id).whereNull('revoked_at').select('id')
    await trx.from('bridges').where('register_id', row.register_id).whereNull('revoked_at').update({ revoked_at: now, updated_at: now })
    const bridge = await Bridge.create(
      { storeId: row.store_id, registerId: row.register_id, name: name.slice(0, 120) || 'Bridge', tokenHash: sha256(token), lastSeenAt: DateTime.utc() },
      { client: trx }
    )
    await recordAudit({ action: 'bridge_paired', storeId: row.store_id, userId: row.created_by, subjectType: 'bridge', subjectId: bridge.id, data: { registerId: row.register_id, name: bridge.name }, ip }, trx)
    return { token, bridge, replaced: replaced.map((r: any) => Number(r.id)) }
  }).then((paired) => {
    // the register's previous bridge, if connected here, is told and disconnected
    for (const id of paired.replaced) dispatcher.revoke(id)
    return paired
  })
}

/** The bridge a bearer token belongs to, unless it was revoked */
export async function bridgeForToken(token: string | null | undefined) {
  if (!token) return null
  return Bridge.query().where('token_hash', sha256(token)).whereNull('revoked_at').first()
}

export async function revokeBridge(store: Store, bridgeId: number, user: User, ip: string | null) {
  const bridge = await Bridge.query().where({ id: bridgeId, store_id: store.id }).first()
  if (!bridge) throw notFound('The bridge')
  if (!bridge.revokedAt) {
    bridge.revokedAt = DateTime.utc()
    await bridge.save()
    dispatcher.revoke(bridge.id)
    await recordAudit({ action: 'bridge_revoked', storeId: store.id, userId: user.id, subjectType: 'bridge', subjectId: bridge.id, ip })
  }
  return bridge
}
