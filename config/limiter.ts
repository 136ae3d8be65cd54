import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'

// One server keeps counters in memory; several share them through Redis (set REDIS_HOST)
const limiterConfig = defineConfig({
  default: env.get('REDIS_HOST') ? 'redis' : 'memory',
  stores: {
    redis: stores.redis({ connectionName: 'main' }),
    memory: stores.memory({}),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
