import { Redis, type RedisOptions } from 'ioredis'
import logger from '@adonisjs/core/services/logger'
// The redis entry alone: the transports index also loads the MQTT transport, whose package is not installed
import { RedisTransport } from '@boringnode/bus/transports/redis'
import type { Serializable, SubscribeHandler } from '@boringnode/bus/types/main'

/*
| The live updates' Redis transport (config/transmit.ts). The bus behind Transmit opens two
| connections of its own (one publishes, one subscribes) and listens to neither's errors, so
| while Redis was down ioredis printed "[ioredis] Unhandled error event" to stderr for each
| failed reconnect of each, several lines a second for the whole outage. Here both connections
| report: one warning per outage, one line when they are back. They reconnect by themselves; a
| broadcast that fails meanwhile waits in the bus's retry queue and goes out on the reconnect
| (selling never waits on it), and pages re-read their figures when their own stream comes back.
*/

let down = false

function reportTo(connection: Redis) {
  connection.on('error', (error: Error) => {
    if (down) return
    down = true
    logger.warn({ err: error }, 'Live updates cannot reach Redis: other app servers miss this one\u2019s broadcasts until it is back')
  })
  connection.on('ready', () => {
    if (!down) return
    down = false
    logger.info('Live updates reach Redis again')
  })
}

/**
 * A template the transport copies its two connections from (duplicate()); it never connects
 * itself. Both connections fail a command after one reconnection, as the app's own connection
 * does (config/redis.ts): the bus keeps a failed broadcast in its retry queue, and the
 * subscription is taken again by LiveTransport.
 */
class ReportingRedis extends Redis {
  /** The transport's connections, publisher then subscriber (@boringnode/bus RedisTransport) */
  made: Redis[] = []

  duplicate(override?: Partial<RedisOptions>) {
    const connection = super.duplicate({ lazyConnect: false, retryStrategy: (times: number) => Math.min(times * 100, 2000), maxRetriesPerRequest: 1, ...override })
    reportTo(connection)
    this.made.push(connection)
    return connection
  }
}

/** Resolves when the connection is ready again, or after `ms` */
function readyOrAfter(connection: Redis | undefined, ms: number) {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      connection?.off('ready', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    connection?.once('ready', done)
  })
}

/**
 * The bus's Redis transport, for a Redis that may be away. Transmit subscribes once, at start,
 * and never handles a failure (`void bus.subscribe(...)`): with Redis down, the SUBSCRIBE failed
 * some 20 s later (ioredis's default), the unhandled rejection killed the server, and a server
 * that survived would never have subscribed. Here a subscription that fails is tried again once
 * the connection is back, for as long as the transport is open, and never rejects. Closing ends a
 * connection that is not up at once: quit() waits behind commands queued for Redis, so a server
 * (or an ace command) stopping while Redis was down never exited.
 */
class LiveTransport extends RedisTransport {
  #closed = false

  constructor(private template: ReportingRedis) {
    super(template)
  }

  async subscribe<T extends Serializable>(channel: string, handler: SubscribeHandler<T>) {
    while (!this.#closed) {
      try {
        return await super.subscribe(channel, handler)
      } catch {
        await readyOrAfter(this.template.made[1], 2000)
      }
    }
  }

  async disconnect() {
    this.#closed = true
    await Promise.all(this.template.made.map((connection) => (connection.status === 'ready' ? connection.quit().then(() => {}, () => connection.disconnect()) : connection.disconnect())))
  }
}

/** Transmit's transport driver: a factory of the transport */
export function liveTransport(options: RedisOptions) {
  return () => new LiveTransport(new ReportingRedis({ ...options, lazyConnect: true }))
}
