import env from '#start/env'
import logger from '@adonisjs/core/services/logger'

/*
| Redis is optional: with REDIS_HOST set it shares rate limits, live updates and identity
| changes between servers. This module holds what is known of it now, for the code that falls
| back when it is down (rate_limits.ts) and for /health/ready. The connection reconnects by
| itself (config/redis.ts never gives up); its events move the state, and a command that failed
| marks it down at once. One warning per outage, one line when it is back.
*/

export interface RedisState {
  configured: boolean
  /** null until the first connection or failure */
  up: boolean | null
  /** When `up` last changed */
  since: Date | null
  lastError: string | null
}

const state: RedisState = { configured: !!env.get('REDIS_HOST'), up: null, since: null, lastError: null }
let watching = false

export function redisStatus(): Readonly<RedisState> {
  return { ...state }
}

/** Worth sending commands to: configured, and not known to be down */
export function redisUsable() {
  watchRedis()
  return state.configured && state.up !== false
}

export function redisDown(error: unknown) {
  state.lastError = error instanceof Error ? error.message : String(error)
  if (state.up === false) return
  state.up = false
  state.since = new Date()
  logger.warn({ err: error }, 'Redis is unreachable: rate limits are kept in this process\'s memory until it is back')
}

export function redisUp() {
  if (state.up === true) return
  const wasDown = state.up === false
  state.up = true
  state.since = new Date()
  if (wasDown) logger.info('Redis is reachable again: rate limits are shared through it again')
}

/** Follows the main connection's events (once; the connection itself is made on first use) */
export function watchRedis() {
  if (watching || !state.configured) return
  watching = true
  import('@adonisjs/redis/services/main')
    .then(({ default: redis }) => {
      // AdonisJS logs every failed reconnection at FATAL, several a second through an outage
      // (a page for whoever is on call); the warning below is said once per outage instead
      redis.doNotLogErrors()
      const connection = redis.connection()
      connection.on('ready', () => redisUp())
      connection.on('error', ({ error }: { error: unknown }) => redisDown(error))
      if (connection.status === 'ready') redisUp()
    })
    .catch((error) => redisDown(error))
}

/**
 * At a process's end (app.terminating, start/redis.ts), its Redis connections that are not up are
 * dropped: the Redis provider then quits each connection, and a QUIT waits for a connection that
 * never comes back. pos:demo run while Redis was away never ended (its user saves had told the
 * other servers through Redis), logging a reconnection failure every few hundred ms.
 */
export async function dropRedisIfAway() {
  if (!state.configured) return
  const { default: redis } = await import('@adonisjs/redis/services/main')
  for (const connection of Object.values(redis.activeConnections) as any[]) {
    const statuses = [connection.ioConnection?.status, connection.ioSubscriberConnection?.status].filter(Boolean)
    if (statuses.some((status) => status !== 'ready')) await connection.disconnect()
  }
}
