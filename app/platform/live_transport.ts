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
|
| What other servers broadcast while this one's subscription is down is lost to its pages (Redis
| keeps no pub/sub message for a subscriber that is away). So once the subscription is back (or
| first taken, after failing) the transport says so to onBroadcastsMissed's listeners: start/live.ts
| then tells every page connected here to read its figures again (a `resync` message).
*/

let down = false

const missedListeners = new Set<() => void>()

/**
 * Calls the listener each time this server's subscription to the other servers' broadcasts is
 * taken again after a gap (a lost connection, a refused SUBSCRIBE): the broadcasts of the gap
 * never reached its pages. Returns a function that removes it.
 */
export function onBroadcastsMissed(listener: () => void) {
  missedListeners.add(listener)
  return () => missedListeners.delete(listener)
}

function tellBroadcastsMissed() {
  for (const listener of missedListeners) {
    try {
      listener()
    } catch (error) {
      logger.error({ err: error }, 'A live resync failed')
    }
  }
}

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
 * itself. The publisher keeps ioredis's defaults: a broadcast waits through a short outage (some
 * 10 s of reconnections) before it fails into the bus's retry queue. The subscriber fails a
 * SUBSCRIBE after one reconnection: LiveTransport takes it again once Redis is back.
 */
class ReportingRedis extends Redis {
  /** The transport's connections, publisher then subscriber (@boringnode/bus RedisTransport) */
  made: Redis[] = []

  duplicate(override?: Partial<RedisOptions>) {
    const subscriber = this.made.length === 1
    const connection = super.duplicate({ lazyConnect: false, ...(subscriber ? { maxRetriesPerRequest: 1 } : {}), ...override })
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
    const timer = setTimeout(done, ms).unref()
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
  #refused = false
  /** The bus channels subscribed to, and whether the subscriber lost its connection since */
  #channels = new Set<string>()
  #gap = false

  constructor(private template: ReportingRedis) {
    super(template)
    const subscriber = template.made[1]
    subscriber?.on('close', () => {
      if (this.#channels.size) this.#gap = true
    })
    subscriber?.on('ready', () => {
      if (this.#gap && !this.#closed) void this.#confirmAfterGap(subscriber)
    })
  }

  /**
   * ioredis subscribes again by itself on reconnecting; a SUBSCRIBE of ours, answered after its
   * own, proves the subscription is live before pages are told to read again (a page reading
   * earlier could miss a change made between its read and the subscription). Failing, the next
   * reconnection tries again.
   */
  async #confirmAfterGap(subscriber: Redis) {
    try {
      await subscriber.subscribe(...this.#channels)
    } catch {
      return
    }
    if (!this.#gap || this.#closed) return
    this.#gap = false
    tellBroadcastsMissed()
  }

  async subscribe<T extends Serializable>(channel: string, handler: SubscribeHandler<T>) {
    let failed = false
    while (!this.#closed) {
      try {
        await super.subscribe(channel, handler)
        this.#channels.add(channel)
        // Pages connected while it failed missed the other servers' broadcasts
        if (failed) tellBroadcastsMissed()
        return
      } catch (error) {
        failed = true
        // Closed under it (a stop, an ace command's end): nothing to say
        if (this.#closed) return
        // A Redis that answers but refuses the subscription (no pub/sub for this user) shows no
        // connection error: said once, then tried again every 2 s
        if (!this.#refused) logger.warn({ err: error }, 'Live updates cannot subscribe on Redis yet: other app servers\u2019 broadcasts do not reach this one')
        this.#refused = true
        await readyOrAfter(this.template.made[1], 2000)
      }
    }
  }

  /** Messages waiting their turn behind a stock message that waits for the publisher (see publish), and the last one's turn */
  #waiting = 0
  #turn: Promise<void> = Promise.resolve()

  /**
   * A page applies the stock figures a message carries as they are, so a message that goes out
   * late (kept by the publisher or the bus's retry queue while Redis was away) would overwrite
   * the newer figures the other servers' pages have heard or read since. Such a message goes out
   * as a `refresh` instead: its pages read the figures again (public/js/live.js). Late means the
   * publisher cannot write it as it is handed over (it would wait in ioredis's queue), or it is
   * older than LATE_MS (a retry from the bus's queue).
   * A publisher still connecting (the first broadcasts after a start, or the instant its socket is
   * up but ioredis's handshake and ready check are not answered yet) is not late: a stock message
   * waits for it, until LATE_MS after it was made, and keeps its figures if it is up by then.
   * Every message handed over meanwhile goes in turn behind it (a refresh that overtook an older
   * message with figures let those older figures land last). Each waits until its own deadline,
   * not LATE_MS after the one before it: through an outage the messages were held back one after
   * another, two a second, an ever longer queue. Before, every stock message handed over before
   * ioredis said 'ready' went out without figures, even one written at once on the connected
   * socket (ioredis writes a PUBLISH before its ready check).
   */
  async publish(channel: string, message: Serializable) {
    const publisher = this.template.made[0]
    const waits = carriesFigures(message) && !writesNow(publisher) && publisher?.status !== 'end'
    if (!waits && !this.#waiting) return super.publish(channel, withoutLateFigures(message, writesNow(publisher)))
    this.#waiting++
    const deadline = Number((message as any)?.payload?.at) + LATE_MS
    const turn = this.#turn.then(() => {
      const left = deadline - Date.now()
      if (!waits || writesNow(publisher) || !(left > 0)) return
      return readyOrAfter(publisher, left)
    })
    this.#turn = turn
    try {
      await turn
    } finally {
      this.#waiting--
    }
    return super.publish(channel, withoutLateFigures(message, writesNow(publisher)))
  }

  /**
   * The bus sends the broadcasts kept in its retry queue when the subscriber reconnects, which is
   * before Redis is back: the publisher's own return sends them too (else they waited for the
   * next outage, and arrived after newer ones)
   */
  onReconnect(callback: () => void) {
    // One drain at a time: two walking the queue at once sent a broadcast twice and dropped another
    let draining: Promise<unknown> | null = null
    const drain = () => {
      if (draining) return
      draining = Promise.resolve((callback as () => unknown)()).finally(() => (draining = null))
    }
    super.onReconnect(drain)
    this.template.made[0]?.on('ready', drain)
  }

  /** Closes both connections: quit() when up (but not past 1 s: a half-open socket never answers), else at once */
  async disconnect() {
    this.#closed = true
    await Promise.all(
      this.template.made.map(async (connection) => {
        if (connection.status !== 'ready') return connection.disconnect()
        const quit = connection.quit().then(() => true, () => false)
        if (!(await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, 1000).unref())]))) connection.disconnect()
      })
    )
  }
}

/** A message handed to the publisher this long after it was made is late (see publish) */
const LATE_MS = 500

/**
 * Whether ioredis writes a command handed to it now: when ready, and while connected but not yet
 * ready ('connect'), for a PUBLISH (allowed while Redis loads); otherwise it waits in its queue
 */
function writesNow(connection: Redis | undefined) {
  return connection?.status === 'ready' || connection?.status === 'connect'
}

/** Whether the message is Transmit's broadcast of stock figures */
function carriesFigures(message: Serializable) {
  const payload = (message as any)?.payload
  return !!payload && typeof payload === 'object' && Array.isArray(payload.products)
}

/** Transmit's broadcast with a stock message's figures replaced by a refresh when it goes out late */
export function withoutLateFigures(message: Serializable, publisherUp: boolean): Serializable {
  if (!carriesFigures(message)) return message
  const payload = (message as any).payload
  const at = Number(payload.at)
  if (publisherUp && Number.isFinite(at) && Date.now() - at <= LATE_MS) return message
  return { ...(message as object), payload: { reason: payload.reason, refresh: true, at: payload.at } } as Serializable
}

/** Transmit's transport driver: a factory of the transport */
export function liveTransport(options: RedisOptions) {
  return () => new LiveTransport(new ReportingRedis({ ...options, lazyConnect: true }))
}
