import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { Limiter } from '@adonisjs/limiter'
import redis from '@adonisjs/redis/services/main'
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

/** One count an attempt is held to: its limits, its key, and whether a success clears it */
export interface Count {
  options: LimitOptions
  key: string
  /**
   * true: a success clears the count (one till's own mistypes). false: a success only takes its
   * own attempt off, so the failures counted there stay (a count across every address: someone's
   * right PIN typed at another till must not give a guesser a fresh start)
   */
  clearedBySuccess: boolean
}

/**
 * Runs `callback` unless `key` is blocked; a failure (the callback throws) counts against the
 * key and blocks it once it reaches the limit, a success clears it. Unlike Limiter.penalize,
 * the attempt is counted (atomically, in Redis or in this process) before it runs: checking the
 * count first and adding to it after the callback failed let attempts sent at once all pass the
 * check (40 parallel wrong passwords had 28 checked against a limit of 5).
 */
export function penalize<T>(options: LimitOptions, key: string, callback: () => Promise<T>) {
  return penalizeAll([{ options, key, clearedBySuccess: true }], callback)
}

/**
 * penalize() under several counts at once: the attempt is counted on each before it runs, and
 * refused when any is past its limit (the others then take it off: it did not run). A failure
 * blocks each count it brought to its limit; a success clears or takes itself off each.
 */
export async function penalizeAll<T>(counts: Count[], callback: () => Promise<T>): Promise<[InstanceType<typeof limiterErrors.E_TOO_MANY_REQUESTS>, null] | [null, T]> {
  const counted = await Promise.all(counts.map((count) => onStore(count.options, (limit) => limit.increment(count.key))))
  const over = counted.findIndex((response) => response.consumed > response.limit)
  if (over >= 0) {
    await Promise.all(counts.map((count, i) => (counted[i].consumed > counted[i].limit ? null : onStore(count.options, (limit) => limit.decrement(count.key)))))
    return [new limiterErrors.E_TOO_MANY_REQUESTS(counted[over]), null]
  }
  let result: T
  try {
    result = await callback()
  } catch (failure) {
    await Promise.all(
      counts.map((count, i) => {
        const blockFor = count.options.blockDuration
        return counted[i].consumed >= counted[i].limit && blockFor ? onStore(count.options, (limit) => limit.block(count.key, blockFor)) : null
      })
    )
    throw failure
  }
  await Promise.all(counts.map((count) => onStore<unknown>(count.options, (limit) => (count.clearedBySuccess ? limit.delete(count.key) : limit.decrement(count.key)))))
  return [null, result]
}

/**
 * Forgets every count of this installation (the test suite, before it runs): in this process's
 * memory, and in Redis its own keys only. The limiter's own clear() empties the whole Redis
 * database, the counts of any other installation using it too (a second test run beside this one).
 */
export async function clearRateLimits() {
  await limiter.clear(['memory'])
  if (!redisUsable()) return
  const connection = redis.connection().ioConnection
  const prefix = String(connection.options.keyPrefix ?? '')
  // SCAN's pattern is not prefixed by ioredis, and DEL's keys are: strip the prefix found
  let cursor = '0'
  try {
    do {
      const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500)
      cursor = next
      if (keys.length) await connection.del(...keys.map((key) => key.slice(prefix.length)))
    } while (cursor !== '0')
  } catch (error) {
    redisDown(error)
  }
}
