import { AsyncLocalStorage } from 'node:async_hooks'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import { dbTimestamp } from '#platform/db_time'

export interface HeldClaim {
  userId: number
  key: string
  token: string
}

/**
 * The Idempotency-Key claim held by the request running now (runIdempotent sets it). Every
 * transaction that request opens (inTransaction) marks the claim as written first, inside
 * itself: the mark commits exactly when the write does, so a retry that finds a claim whose
 * holder died knows whether the write happened.
 */
export const heldClaim = new AsyncLocalStorage<HeldClaim>()

export async function markClaimWritten(trx: TransactionClientContract) {
  const claim = heldClaim.getStore()
  if (!claim) return
  const updated = await trx
    .from('idempotency_keys')
    .where({ user_id: claim.userId, key: claim.key, claim_token: claim.token })
    .update({ written_at: dbTimestamp() })
  // A retry took the claim over (this request outlived its lease): it runs the write, not this one
  if (!(Array.isArray(updated) ? Number(updated[0] ?? 0) : Number(updated ?? 0))) {
    throw new DomainError('A retry with this Idempotency-Key took over; retry shortly for its answer', {
      status: 409,
      code: 'idempotency_in_progress',
    })
  }
}
