import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { Limiter } from '@adonisjs/limiter'
import { redisDown, redisUsable } from '#platform/redis_status'

/*
| Rate limits (sign-in, PIN, bridge pairing) that Redis going away cannot break: with Redis
| up they are shared through it; while it is unreachable each step runs on the memory store
| of this process (a limit still applies, counted here only), and back on Redis once it is.
*/

export interface LimitOptions {
  requests: number
  duration: string
  blockDuration?: string
}

async function onStore<T>(options: LimitOptions, step: (limit: Limiter) => Promise<T>): Promise<T> {
  if (redisUsable()) {
    try {
      return await step(limiter.use('redis', options))
    } catch (error) {
      redisDown(error)
    }
  }
  return step(limiter.use('memory', options))
}

/**
 * Runs `callback` unless `key` is blocked; a failure (the callback throws) counts against the
 * key and blocks it once it reaches the limit, a success clears it. Like Limiter.penalize.
 */
export async function penalize<T>(options: LimitOptions, key: string, callback: () => Promise<T>): Promise<[InstanceType<typeof limiterErrors.E_TOO_MANY_REQUESTS>, null] | [null, T]> {
  const state = await onStore(options, (limit) => limit.get(key))
  if (state && state.remaining <= 0) return [new limiterErrors.E_TOO_MANY_REQUESTS(state), null]
  let result: T
  try {
    result = await callback()
  } catch (failure) {
    await onStore(options, async (limit) => {
      const { consumed, limit: allowed } = await limit.increment(key)
      if (consumed >= allowed && options.blockDuration) await limit.block(key, options.blockDuration)
    })
    throw failure
  }
  await onStore(options, (limit) => limit.delete(key))
  return [null, result]
}
