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
 * key and blocks it once it reaches the limit, a success clears it. Unlike Limiter.penalize,
 * the attempt is counted (atomically, in Redis or in this process) before it runs: checking the
 * count first and adding to it after the callback failed let attempts sent at once all pass the
 * check (40 parallel wrong passwords had 28 checked against a limit of 5).
 */
export async function penalize<T>(options: LimitOptions, key: string, callback: () => Promise<T>): Promise<[InstanceType<typeof limiterErrors.E_TOO_MANY_REQUESTS>, null] | [null, T]> {
  const counted = await onStore(options, (limit) => limit.increment(key))
  if (counted.consumed > counted.limit) return [new limiterErrors.E_TOO_MANY_REQUESTS(counted), null]
  let result: T
  try {
    result = await callback()
  } catch (failure) {
    if (counted.consumed >= counted.limit && options.blockDuration) {
      const blockFor = options.blockDuration
      await onStore(options, (limit) => limit.block(key, blockFor))
    }
    throw failure
  }
  await onStore(options, (limit) => limit.delete(key))
  return [null, result]
}
