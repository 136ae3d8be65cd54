import env from '#start/env'
import { defineConfig } from '@adonisjs/redis'
import { redisKeyPrefix } from '#platform/installation'
import type { InferConnections } from '@adonisjs/redis/types'

const redisConfig = defineConfig({
  connection: 'main',
  connections: {
    main: {
      host: env.get('REDIS_HOST', '127.0.0.1'),
      port: env.get('REDIS_PORT', 6379),
      password: env.get('REDIS_PASSWORD', ''),
      db: 0,
      // Keys of this installation only (rate limits count by user and store ids, which another
      // installation sharing this Redis has too)
      keyPrefix: redisKeyPrefix(),
      lazyConnect: true,
      // Redis is optional: keep reconnecting (every 2 s at most) for as long as it is away, so
      // the app uses it again when it is back; a command fails after one reconnection attempt
      // instead of waiting through twenty (rate_limits.ts then falls back to memory)
      retryStrategy(times) {
        return Math.min(times * 100, 2000)
      },
      maxRetriesPerRequest: 1,
    },
  },
})

export default redisConfig

declare module '@adonisjs/redis/types' {
  export interface RedisConnections extends InferConnections<typeof redisConfig> {}
}
