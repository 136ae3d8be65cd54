import { createHash } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import { DomainError } from '#exceptions/domain_error'
import { apiErrorBody } from '#exceptions/api_errors'
import { dbTimestamp } from '#services/db_time'

export interface StoredResponse {
  status: number
  body: unknown
}

/**
 * Retried writes: the client sends an Idempotency-Key (a UUID it made). The first request
 * with a key runs and its answer is kept; the same key with the same body gets that answer
 * again; with another body, 409 idempotency_conflict. Keys are per user.
 */
export async function runIdempotent(ctx: HttpContext, handler: () => Promise<StoredResponse>) {
  const key = ctx.request.header('idempotency-key')
  if (!key) return send(ctx, await handler())
  if (!/^[A-Za-z0-9_\-:.]{8,100}$/.test(key)) {
    throw new DomainError('The Idempotency-Key header must be 8 to 100 letters, digits or -_:.', {
      status: 422,
      code: 'invalid_idempotency_key',
      field: 'Idempotency-Key',
    })
  }

  const userId = ctx.auth.user!.id
  const method = ctx.request.method()
  const path = ctx.request.url()
  const requestHash = createHash('sha256')
    .update(`${method} ${path} ${JSON.stringify(ctx.request.body())}`)
    .digest('hex')

  const claimed = await claim(userId, key, method, path, requestHash)
  if (!claimed) {
    const existing = await db.from('idempotency_keys').where({ user_id: userId, key }).first()
    if (!existing || existing.request_hash !== requestHash) {
      throw new DomainError('This Idempotency-Key was already used with a different request', {
        status: 409,
        code: 'idempotency_conflict',
      })
    }
    if (existing.status_code === null) {
      throw new DomainError('The first request with this Idempotency-Key is still running; retry shortly', {
        status: 409,
        code: 'idempotency_in_progress',
      })
    }
    ctx.response.header('Idempotent-Replayed', 'true')
    return send(ctx, { status: existing.status_code, body: JSON.parse(existing.response_body) })
  }

  let outcome: StoredResponse
  try {
    outcome = await handler()
  } catch (error) {
    const answer = apiErrorBody(error)
    if (answer && answer.status < 500) {
      await remember(userId, key, answer)
    } else {
      // Nothing was written: let a retry run the request again
      await db.from('idempotency_keys').where({ user_id: userId, key }).delete()
    }
    throw error
  }
  await remember(userId, key, outcome)
  return send(ctx, outcome)
}

async function claim(userId: number, key: string, method: string, path: string, requestHash: string) {
  try {
    await db.table('idempotency_keys').insert({
      user_id: userId,
      key,
      method,
      path,
      request_hash: requestHash,
      status_code: null,
      response_body: null,
      created_at: dbTimestamp(),
    })
    return true
  } catch (error: any) {
    if (error?.code === 'ER_DUP_ENTRY' || String(error?.code).startsWith('SQLITE_CONSTRAINT')) return false
    throw error
  }
}

async function remember(userId: number, key: string, outcome: StoredResponse) {
  await db
    .from('idempotency_keys')
    .where({ user_id: userId, key })
    .update({ status_code: outcome.status, response_body: JSON.stringify(outcome.body) })
}

function send(ctx: HttpContext, outcome: StoredResponse) {
  return ctx.response.status(outcome.status).json(outcome.body)
}
