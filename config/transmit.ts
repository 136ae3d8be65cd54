import env from '#start/env'
import { defineConfig } from '@adonisjs/transmit'
import { liveTransport } from '#platform/live_transport'
import { installationName } from '#platform/installation'

/*
| Live updates over server-sent events. One app server needs no transport. With REDIS_HOST set,
| broadcasts travel through Redis so every app server reaches its own subscribers; the
| subscriptions themselves stay in the memory of the server holding the stream, so a load
| balancer must keep /__transmit/* of one browser on one server (sticky sessions).
| The Redis channel is named after the installation (#platform/installation), so two can share one Redis.
*/
const redisHost = env.get('REDIS_HOST')

export default defineConfig({
  pingInterval: '25s',
  transport: redisHost
    ? {
        driver: liveTransport({ host: redisHost, port: env.get('REDIS_PORT', 6379), password: env.get('REDIS_PASSWORD') || undefined }),
        channel: `pos::transmit::${installationName()}`,
      }
    : null,
})
