import env from '#start/env'
import logger from '@adonisjs/core/services/logger'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import Store from '#models/store'
import { endStreamsOf } from '#platform/live_streams'
import { installationName } from '#platform/installation'

/*
| Who is asking, remembered for a few seconds. Every request reads its user and the user's home
| store (and on the API its token) before its own work: on MariaDB that is a round trip and three
| statements, a quarter of a till's busiest requests. Rows read for one request serve the same
| user's (or token's) next ones for AUTH_CACHE_TTL milliseconds (5,000 by default; 0 reads every
| time). A fresh model is made from the rows for each request; a token's expiry is checked on every
| request, its secret each time its row is read (access_token_provider.ts).
|
| A change made through the app is seen at once: saving a user or a store, deleting tokens (a
| logout, a disabled user) empties the cache when its transaction commits, in this process and,
| with REDIS_HOST set, in every process sharing that Redis. Without Redis, other worker processes
| (WEB_CONCURRENCY) and changes written to the database behind the app's back are seen once the
| rows are older than the TTL. With Redis, nothing is kept while this process is not subscribed
| (before the first subscription is acknowledged, and from a dropped connection until the next).
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

/** What a reader passes to keepIdentity: the generation its read started in */
export function identityGeneration() {
  listen()
  return generation
}

/**
 * Keeps rows read since `readSince` (identityGeneration()), unless something changed meanwhile.
 * With Redis, only while this process hears the other servers' changes.
 */
export function keepIdentity(key: string, rows: IdentityRows, readSince: number) {
  if (!ttlMs || readSince !== generation || (redisHost && !listening)) return
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
export function identityChanged(client?: QueryClientContract | null, sessionsEndedOf?: number) {
  forgetHere()
  if (client?.isTransaction) (client as any).after('commit', () => identityChanged(null, sessionsEndedOf))
  else tellOthers(sessionsEndedOf)
}

// Saving or deleting a user or a store empties the cache (the hooks are set here, not in the
// models, because a model imports no service; config/auth.ts loads this module at boot)
for (const model of [User, Store]) {
  model.after('save', (row: User | Store) => identityChanged(row.$trx))
  model.after('delete', (row: User | Store) => identityChanged(row.$trx))
}

// ---------------------------------------------------------------- other processes, via Redis

const redisHost = env.get('REDIS_HOST')
const channel = `pos:identity:${installationName()}`
/** Subscribed, and the subscriber connection up: until then (and after it drops) nothing is kept */
let listening = false
let subscribing = false
let retryAt = 0
const RETRY_MS = 5000
/** Said once per outage (a designed fallback, not an error to page anyone for), and when it is over */
let complained = false

async function redisConnection() {
  const redis = (await import('@adonisjs/redis/services/main')).default
  // Its failures are said here, once per outage: AdonisJS's own line at every reconnection (FATAL,
  // several a second) flooded a command's output (pos:demo) while Redis was away
  redis.doNotLogErrors()
  return redis
}

/**
 * Another server's change. One that ended a person's sessions (sessions.ts) ends their live-update
 * streams here too: a deactivated person's page whose stream this server held went on hearing
 * their store. (With AUTH_CACHE_TTL=0 nothing is told: each server ends its own streams only.)
 */
function heardChange(message: string) {
  forgetHere()
  const ended = / ended (\d+)$/.exec(message)?.[1]
  if (ended) endStreamsOf(Number(ended))
}

/** A dropped subscriber connection may miss messages while it reconnects: forget, and subscribe again */
function lost() {
  if (!listening) return
  listening = false
  forgetHere()
}

/** Subscribes to the other servers' changes (on the first read, and again after a loss) */
function listen() {
  if (!redisHost || !ttlMs || listening || subscribing || Date.now() < retryAt) return
  subscribing = true
  const failed = (error: unknown) => {
    subscribing = false
    retryAt = Date.now() + RETRY_MS
    if (complained) return
    complained = true
    logger.warn({ err: error }, 'Cannot listen for identity changes on Redis: who is asking is read on every request until it works')
  }
  redisConnection()
    .then((redis) => {
      const connection = redis.connection()
      connection.subscribe(channel, heardChange, {
        onSubscription: () => {
          subscribing = false
          listening = true
          if (complained) logger.info('Listening for identity changes on Redis again')
          complained = false
          // (the same listener again is a no-op; after an "end" the connection drops its listeners)
          connection.on('subscriber:close', lost)
          connection.on('subscriber:end', lost)
        },
        onError: failed,
      })
    })
    .catch(failed)
}

/**
 * A change could not be told: said once per outage (every change failed while Redis was away), and
 * once when the publishing connection is back or a change is told again. Reset by a change told
 * only, an outage with no change after it hid the next outage: its changes failed unsaid.
 */
let tellingFailed = false
let watchingConnection = false

function toldAgain() {
  if (!tellingFailed) return
  tellingFailed = false
  logger.info('Identity changes are told to the other servers on Redis again')
}

/**
 * Tells the other servers a change was made. While Redis is away for them too, they keep no rows
 * (their subscriptions dropped); a server still reaching it sees the change within the TTL.
 */
function tellOthers(sessionsEndedOf?: number) {
  if (!redisHost || !ttlMs) return
  const message = sessionsEndedOf ? `${process.pid} ended ${sessionsEndedOf}` : String(process.pid)
  redisConnection()
    .then((redis) => {
      const connection = redis.connection()
      if (!watchingConnection) {
        watchingConnection = true
        connection.on('ready', toldAgain)
      }
      return connection.publish(channel, message)
    })
    .then(toldAgain)
    .catch((error) => {
      if (tellingFailed) return
      tellingFailed = true
      logger.warn({ err: error }, 'Cannot tell other servers of identity changes on Redis: until it is back, they see them within AUTH_CACHE_TTL')
    })
}
