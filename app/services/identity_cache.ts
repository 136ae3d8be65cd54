import env from '#start/env'
import logger from '@adonisjs/core/services/logger'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| Who is asking, remembered for a few seconds. Every request reads its user and the user's home
| store (and on the API its token) before its own work: on MariaDB that is a round trip and three
| statements, a quarter of a till's busiest requests. Rows read for one request serve the same
| user's (or token's) next ones for AUTH_CACHE_TTL milliseconds (5,000 by default; 0 reads every
| time). A fresh model is made from the rows for each request, and a token's secret and expiry
| are checked on every request as before.
|
| A change made through the app is seen at once: saving a user or a store, deleting tokens (a
| logout, a disabled user) empties the cache when its transaction commits, in this process and,
| with REDIS_HOST set, in every process sharing that Redis. Without Redis, other worker processes
| (WEB_CONCURRENCY) and changes written to the database behind the app's back are seen once the
| rows are older than the TTL.
*/

export interface IdentityRows {
  token?: Record<string, any>
  user?: Record<string, any>
  store?: Record<string, any>
}

const ttlMs = Math.max(0, env.get('AUTH_CACHE_TTL', 5000))
/** Entries past this many are swept of the expired ones (one per token or user in use) */
const SWEEP_AT = 10_000

const entries = new Map<string, { rows: IdentityRows; until: number }>()
/** Moves on with every change, so rows read while a change was committing are not kept */
let generation = 0

/** The rows kept for a key (token:<id>, user:<id>), or null when none are fresh */
export function cachedIdentity(key: string): IdentityRows | null {
  const entry = entries.get(key)
  if (!entry) return null
  if (entry.until > Date.now()) return entry.rows
  entries.delete(key)
  return null
}

/** What readIdentity's caller passes to keepIdentity: the generation its read started in */
export function identityGeneration() {
  subscribeOnce()
  return generation
}

/** Keeps rows read since `readSince` (identityGeneration()), unless something changed meanwhile */
export function keepIdentity(key: string, rows: IdentityRows, readSince: number) {
  if (!ttlMs || readSince !== generation) return
  if (entries.size >= SWEEP_AT) {
    const now = Date.now()
    for (const [k, entry] of entries) if (entry.until <= now) entries.delete(k)
    if (entries.size >= SWEEP_AT) entries.clear()
  }
  entries.set(key, { rows, until: Date.now() + ttlMs })
}

function forgetHere() {
  generation++
  entries.clear()
}

/**
 * Users, stores or tokens changed: forgets every kept identity, here and in the processes
 * sharing Redis. In a transaction, once more when it commits (a read in between saw the old rows).
 */
export function identityChanged(client?: QueryClientContract | null) {
  forgetHere()
  if (client?.isTransaction) (client as any).after('commit', () => identityChanged())
  else tellOthers()
}

// ---------------------------------------------------------------- other processes, via Redis

const redisHost = env.get('REDIS_HOST')
const channel = `pos:identity:${env.get('DB_CONNECTION') === 'mysql' ? env.get('DB_DATABASE', 'pos') : (env.get('SQLITE_PATH') ?? 'sqlite')}`
let subscribed = false

async function redisConnection() {
  return (await import('@adonisjs/redis/services/main')).default
}

function subscribeOnce() {
  if (subscribed || !redisHost || !ttlMs) return
  subscribed = true
  const failed = (error: unknown) => logger.error({ err: error }, 'Cannot listen for identity changes on Redis: other servers\u2019 changes are seen after AUTH_CACHE_TTL')
  redisConnection()
    .then((redis) => redis.connection().subscribe(channel, () => forgetHere(), { onError: failed, onSubscription: () => {} }))
    .catch(failed)
}

function tellOthers() {
  if (!redisHost || !ttlMs) return
  redisConnection()
    .then((redis) => redis.publish(channel, String(process.pid)))
    .catch((error) => logger.error({ err: error }, 'Cannot tell other servers of an identity change on Redis'))
}
