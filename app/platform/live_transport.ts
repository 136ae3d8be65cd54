import { Redis, type RedisOptions } from 'ioredis'
import logger from '@adonisjs/core/services/logger'
// The redis entry alone: the transports index also loads the MQTT transport, whose package is not installed
import { RedisTransport } from '@boringnode/bus/transports/redis'

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

/** A template the transport copies its two connections from (duplicate()); it never connects itself */
class ReportingRedis extends Redis {
  duplicate(override?: Partial<RedisOptions>) {
    const connection = super.duplicate({ lazyConnect: false, ...override })
    reportTo(connection)
    return connection
  }
}

/** Transmit's transport driver: a factory of the transport */
export function liveTransport(options: RedisOptions) {
  return () => new RedisTransport(new ReportingRedis({ ...options, lazyConnect: true }))
}
