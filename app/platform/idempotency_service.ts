import { createHash, randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import { apiErrorBody } from '#exceptions/api_errors'
import { dbTimestamp } from '#platform/db_time'
import { affectedRows, inTransaction, writeAtCommit } from '#platform/db_transaction'
import { heldClaim } from '#platform/idempotency_claim'
import { faultPoint } from '#platform/fault_injection'
import { insertStatement, type InsertedId } from '#platform/sql_batch'
import { idempotentReplays } from '#platform/metrics'

export interface StoredResponse {
  status: number
  body: unknown
}

/**
 * An answer about a row the transaction writes with its COMMIT (writeAtCommit): its body is
 * made once that has answered (the row's ids come back with it), and the key keeps the row's id
 * (`savedAs` names its INSERT) instead of the body: a replay reads the row again (`reread`)
 */
export interface AnswerAtCommit {
  status: number
  body: () => unknown
  savedAs: InsertedId
}

/** A request sent with an Idempotency-Key (or a form's one-time key): who sent it, the key, and a hash of what it asked */
export interface KeyedRequest {
  userId: number
  key: string
  method: string
  path: string
  requestHash: string
  /** The token a claim made by this request holds */
  token: string
}

/*
| Retried writes: the client sends an Idempotency-Key (a UUID it made). The first request
| with a key runs and its answer is kept; the same key with the same body gets that answer
| again; with another body, 409 idempotency_conflict. Keys are per user. A key is kept for
| IDEMPOTENCY_KEY_DAYS (7 by default): a client retries within seconds or minutes, and a key
| holds its whole answer (a payment's), so kept for ever they would outgrow the sales themselves
| and slow every insert. A new API sale's key holds the sale's id instead (AnswerAtCommit).
*/

// At least a day: a shorter one would delete the claims of requests still running
export const KEY_RETENTION_DAYS = Math.max(1, env.get('IDEMPOTENCY_KEY_DAYS', 7))

// How long a claim without an answer holds its key: longer than any request runs, so only a
// claim whose holder is gone (a killed process, a lost database connection) is ever taken over
export const CLAIM_LEASE_SECONDS = Math.max(1, env.get('IDEMPOTENCY_LEASE_SECONDS', 60))

/**
 * For writes whose service runs its own transaction(s): the key is claimed first (a concurrent
 * duplicate answers 409 idempotency_in_progress) and the answer kept once the write is done.
 * The write's transaction marks the claim as written (markClaimWritten), so a claim left by a
 * holder that died is settled by the first retry after its lease: the write runs again if it
 * never committed, else the retry gets a final answer saying it was carried out.
 */
export async function runIdempotent(ctx: HttpContext, handler: () => Promise<StoredResponse>) {
  const request = keyedRequest(ctx)
  if (!request) return send(ctx, await handler())

  const token = (await claimOrFree(request)) ? request.token : await takeOver(request)
  if (!token) return send(ctx, await replay(ctx, request))
  faultPoint('after_idempotency_claim')
  let outcome: StoredResponse
  try {
    outcome = await heldClaim.run({ userId: request.userId, key: request.key, token }, handler)
  } catch (error) {
    const answer = apiErrorBody(error)
    if (answer && answer.status < 500) {
      await remember(request, token, answer)
    } else {
      // Nothing was written: let a retry run the request again
      await releaseOrLater(request, token)
    }
    throw error
  }
  faultPoint('after_idempotent_write')
  await remember(request, token, outcome)
  return send(ctx, outcome)
}

/** Frees a claim whose write never committed, so the same key runs again */
export async function release(request: KeyedRequest, token: string) {
  await db.from('idempotency_keys').where({ user_id: request.userId, key: request.key, claim_token: token }).whereNull('written_at').delete()
}

/*
| A request that fails for the database (gone, frozen, or past its query deadline) may leave its
| claim behind: the release fails as well, or the claim's INSERT itself reaches the database after
| the request gave up (a frozen server answering late, a row lock held past the deadline). The same
| form or key sent again, once the database was back, then met a claim nobody held: a till's shift
| close was refused as "still being recorded" for a minute, its typed count gone. Such a claim is
| freed as soon as the database answers, and again every 2 s until its lease is over (after which
| takeOver settles it anyway). Only a claim with this token and no write is deleted.
*/
const SWEEP_MS = 2000
/** Claims waiting to be freed, by claim token: whose key, and until when (ms) */
const leftClaims = new Map<string, { userId: number; key: string; until: number }>()
let sweeping = false

/** Releases the claim; when that fails, frees it later (see above) */
export async function releaseOrLater(request: KeyedRequest, token: string) {
  try {
    await release(request, token)
  } catch {
    freeLeftClaim(request, token)
  }
}

/** Claims the key; when the claim's INSERT may have reached the database all the same, frees it later (see above) */
export async function claimOrFree(request: KeyedRequest) {
  try {
    return await claim(request)
  } catch (error) {
    if (mayHaveBeenSent(error)) freeLeftClaim(request, request.token)
    throw error
  }
}

/**
 * A statement that failed before it left (no pooled connection within its wait, a refused
 * connection) wrote nothing: only one dropped or lost on its way may still land
 */
function mayHaveBeenSent(error: any) {
  return !(error?.name === 'KnexTimeoutError' || ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH'].includes(error?.code))
}

/**
 * One sweep every 2 s for the claims left, in one statement (an outage leaves many, and a
 * loop each queued as many statements for the pool at the moment the database came back); a
 * claim is swept until its lease is over, as its INSERT may land late (each by its key and its
 * token, unique: nothing else is ever deleted)
 */
function freeLeftClaim(request: KeyedRequest, token: string) {
  leftClaims.set(token, { userId: request.userId, key: request.key, until: Date.now() + CLAIM_LEASE_SECONDS * 1000 })
  if (sweeping) return
  sweeping = true
  const sweep = async () => {
    const now = Date.now()
    for (const [left, { until }] of leftClaims) if (until < now) leftClaims.delete(left)
    const claims = [...leftClaims].slice(0, 200)
    if (claims.length) {
      // Each by its unique key (user, key): claim_token has no index, and a scan would lock every row
      await db
        .from('idempotency_keys')
        .where((query) => {
          for (const [token, { userId, key }] of claims) query.orWhere((one) => one.where({ user_id: userId, key, claim_token: token }))
        })
        .whereNull('written_at')
        .delete()
        .catch(() => {})
    }
    if (leftClaims.size) setTimeout(sweep, SWEEP_MS).unref()
    else sweeping = false
  }
  setTimeout(sweep, 0).unref()
}

/** Takes over a claim of this same request whose lease ran out and whose write never committed */
export async function takeOver(request: KeyedRequest): Promise<string | null> {
  const token = randomUUID()
  const updated = await expiredClaim(request).whereNull('written_at').update({ claim_token: token, created_at: dbTimestamp() })
  return affectedRows(updated) ? token : null
}

function expiredClaim(request: KeyedRequest) {
  return db
    .from('idempotency_keys')
    .where({ user_id: request.userId, key: request.key, request_hash: request.requestHash })
    .whereNull('status_code')
    .where('created_at', '<', dbTimestamp(new Date(Date.now() - CLAIM_LEASE_SECONDS * 1000)))
}

/**
 * For a write that is one transaction (a sale, a payment): the key and its answer are written
 * in that transaction, so the write and its record commit together, one commit instead of
 * three. A duplicate sent at the same moment waits on the key's unique index, then rolls back
 * and replays the first answer; a retry after the first finished does the same.
 */
export async function runIdempotentInTransaction(
  ctx: HttpContext,
  handler: (trx: TransactionClientContract) => Promise<StoredResponse | AnswerAtCommit>,
  /** The body again from the id a key kept (answers made with AnswerAtCommit) */
  reread?: (id: number) => Promise<unknown>
) {
  const request = keyedRequest(ctx)
  if (!request) return send(ctx, answerOf(await inTransaction(handler)))
  try {
    const { outcome, text } = await inTransaction(async (trx) => {
      const answer = await handler(trx)
      faultPoint('after_idempotency_claim')
      const row = keyRow(request, answer)
      // Written with the COMMIT, in its round trip on MySQL/MariaDB
      writeAtCommit(trx, [insertStatement('idempotency_keys', [row])])
      return { outcome: answer, text: row.response_body ?? undefined }
    })
    return send(ctx, answerOf(outcome), text)
  } catch (error) {
    // The key was used before: this is a retry (the write may have failed only because it ran again)
    if (await storedKey(request)) return send(ctx, await replay(ctx, request, reread))
    const answer = apiErrorBody(error)
    // A refused request is refused again on a retry, as its first answer
    if (answer && answer.status < 500) await claim(request, answer)
    throw error
  }
}

/** The request's key and fingerprint; null when it has no Idempotency-Key */
function keyedRequest(ctx: HttpContext): KeyedRequest | null {
  const key = ctx.request.header('idempotency-key')
  if (!key) return null
  if (!/^[A-Za-z0-9_\-:.]{8,100}$/.test(key)) {
    throw new DomainError('The Idempotency-Key header must be 8 to 100 letters, digits or -_:.', {
      status: 422,
      code: 'invalid_idempotency_key',
      field: 'Idempotency-Key',
    })
  }
  const method = ctx.request.method()
  const path = ctx.request.url()
  return { userId: ctx.auth.user!.id, key, method, path, requestHash: requestHash(method, path, ctx.store?.id ?? null, ctx.request.body()), token: randomUUID() }
}

/**
 * What a keyed request asked: the same key with another hash is another request. The store it
 * acts on is part of it (the same key and body sent with another X-Store-Id was answered with the
 * first store's product), and the body is hashed as data, its keys sorted at every depth (the
 * same body with its keys in another order was a 409 idempotency_conflict).
 * Keys kept from before this hash (a retry across the deploy that brought it) no longer match:
 * their retry answers 409 idempotency_conflict rather than a replay, and writes nothing twice.
 */
export function requestHash(method: string, path: string, storeId: number | null, body: unknown) {
  return createHash('sha256').update(`${method} ${path} store:${storeId ?? '-'} ${JSON.stringify(sortedKeys(body))}`).digest('hex')
}

/** The value with every object's keys in order (arrays keep theirs: their order is data) */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (value === null || typeof value !== 'object') return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys((value as Record<string, unknown>)[key])
  return sorted
}

export function storedKey(request: KeyedRequest) {
  return db.from('idempotency_keys').where({ user_id: request.userId, key: request.key }).first()
}

/** The answer once its transaction has committed */
function answerOf(answer: StoredResponse | AnswerAtCommit): StoredResponse {
  return isAtCommit(answer) ? { status: answer.status, body: answer.body() } : answer
}

/** The first answer given to this key, when the request is the same one */
async function replay(ctx: HttpContext, request: KeyedRequest, reread?: (id: number) => Promise<unknown>): Promise<StoredResponse> {
  const existing = await storedKey(request)
  if (!existing || existing.request_hash !== request.requestHash) {
    throw new DomainError('This Idempotency-Key was already used with a different request', {
      status: 409,
      code: 'idempotency_conflict',
    })
  }
  if (existing.status_code === null && existing.written_at) {
    // The write committed but its holder died before keeping the answer: a final answer instead
    const lost = { errors: [{ message: 'This request was carried out; its answer was lost with the server that ran it. Read the resource to see it', code: 'idempotency_answer_lost' }] }
    const settled = await expiredClaim(request).whereNotNull('written_at').update({ status_code: 200, response_body: JSON.stringify(lost) })
    if (affectedRows(settled)) return replay(ctx, request, reread)
  }
  if (existing.status_code === null) {
    throw new DomainError('The first request with this Idempotency-Key is still running; retry shortly', {
      status: 409,
      code: 'idempotency_in_progress',
    })
  }
  ctx.response.header('Idempotent-Replayed', 'true')
  idempotentReplays.inc()
  if (existing.response_ref !== null && existing.response_ref !== undefined) {
    if (!reread) throw new Error(`The Idempotency-Key of ${request.method} ${request.path} keeps an id, and the route reads nothing again`)
    return { status: existing.status_code, body: await reread(Number(existing.response_ref)) }
  }
  return { status: existing.status_code, body: JSON.parse(existing.response_body) }
}

/** The key's row: a claim (no answer yet), an answer kept whole, or the id of what an AnswerAtCommit wrote */
function keyRow(request: KeyedRequest, answer: StoredResponse | AnswerAtCommit | null) {
  const savedAs = answer && isAtCommit(answer) ? answer.savedAs : null
  return {
    user_id: request.userId,
    key: request.key,
    method: request.method,
    path: request.path,
    request_hash: request.requestHash,
    status_code: answer?.status ?? null,
    response_body: answer && !savedAs ? JSON.stringify(answer.body) : null,
    response_ref: savedAs,
    claim_token: answer ? null : request.token,
    created_at: dbTimestamp(),
  }
}

function isAtCommit(answer: StoredResponse | AnswerAtCommit): answer is AnswerAtCommit {
  return typeof answer.body === 'function'
}

/** Writes the key (with its answer when known); false when the key is already there */
export async function claim(request: KeyedRequest, answer: StoredResponse | null = null) {
  try {
    await db.table('idempotency_keys').insert(keyRow(request, answer))
    return true
  } catch (error: any) {
    if (error?.code === 'ER_DUP_ENTRY' || String(error?.code).startsWith('SQLITE_CONSTRAINT')) return false
    throw error
  }
}

export async function remember(request: KeyedRequest, token: string, outcome: StoredResponse) {
  await db
    .from('idempotency_keys')
    .where({ user_id: request.userId, key: request.key, claim_token: token })
    .update({ status_code: outcome.status, response_body: JSON.stringify(outcome.body) })
}

/** `text`: the body already serialized (as kept with its key), so it is not serialized twice */
function send(ctx: HttpContext, outcome: StoredResponse, text?: string) {
  ctx.response.status(outcome.status)
  if (outcome.body === null || outcome.body === undefined) return ctx.response.json(outcome.body)
  ctx.response.header('content-type', 'application/json; charset=utf-8')
  // The answers are plain data (presenters): JSON.stringify, without the response's safe
  // serializer and its replacer function called for every value (1.3% of the server CPU of a sale)
  return ctx.response.send(text ?? JSON.stringify(outcome.body))
}

/**
 * Deletes the keys older than `days`, oldest first, `batch` at a time, each batch its own short
 * statement by primary key (ids grow with time): it locks the old rows it deletes, and a sale's
 * new key waits on it for a batch at most (milliseconds). Returns how many were deleted.
 */
export async function pruneIdempotencyKeys(days = KEY_RETENTION_DAYS, batch = 1000): Promise<number> {
  const cutoff = dbTimestamp(new Date(Date.now() - days * 86_400_000))
  let deleted = 0
  for (;;) {
    const oldest = await db.from('idempotency_keys').orderBy('id').limit(batch).select('id', db.raw('created_at < ? AS expired', [cutoff]))
    const expiredLead = oldest.findIndex((row) => !Number(row.expired))
    const ids = oldest.slice(0, expiredLead === -1 ? oldest.length : expiredLead).map((row) => Number(row.id))
    if (!ids.length) return deleted
    deleted += Number(await db.from('idempotency_keys').whereIn('id', ids).delete())
    if (ids.length < batch) return deleted
  }
}
