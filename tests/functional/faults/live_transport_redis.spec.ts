import { test } from '@japa/runner'
import type { ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'
import { Bus } from '@boringnode/bus'
import { liveTransport } from '#platform/live_transport'
import { TcpProxy } from './tcp_proxy.js'
import { sleep, startRedis, stopRedis, waitFor } from './redis_server.js'

/*
| The live updates' Redis transport (app/platform/live_transport.ts) under a real redis-server of
| the test's own, behind the bus Transmit makes (a retry queue, enabled). What a till's server
| sends while Redis is away reaches the other servers once it is back, in order; closing it while
| Redis does not answer ends. Before 2026-12-06 the publisher failed a broadcast after one
| reconnection and only the subscriber's reconnections sent the retry queue: depending on how
| the two connections' retries fell, an outage's broadcasts stayed there (until the next outage),
| so the test checks the publisher still holds them a few seconds in; and closing waited forever
| for the QUIT.
*/

const PROXY_PORT = Number(process.env.PORT ?? 3334) + 23
const REDIS_PORT = Number(process.env.PORT ?? 3334) + 24
const CHANNEL = 'pos::transmit::live-transport-spec'

test.group('Live updates\u2019 transport, Redis away', (group) => {
  let redis: ChildProcess | null = null
  const closing: (() => Promise<unknown>)[] = []
  group.each.teardown(async () => {
    for (const close of closing.splice(0)) await close().catch(() => {})
    if (redis) await stopRedis(redis)
    redis = null
  })

  /**
   * A redis-server of the test's own; the transport reaches it through a proxy the test cuts, the
   * listener (another server) directly. `heard`: the messages the listener got, as published.
   */
  async function behindProxy() {
    redis = await startRedis(REDIS_PORT)
    const proxy = await new TcpProxy(PROXY_PORT, { host: '127.0.0.1', port: REDIS_PORT }).start()
    closing.push(() => proxy.cut())
    const transport = liveTransport({ host: '127.0.0.1', port: PROXY_PORT })()
    const bus = new Bus(transport, { retryQueue: { enabled: true } })
    closing.push(() => bus.disconnect())
    const listener = new Redis({ host: '127.0.0.1', port: REDIS_PORT })
    closing.push(() => listener.quit())
    const heard: any[] = []
    listener.on('message', (_channel: string, text: string) => heard.push(JSON.parse(text).payload))
    await listener.subscribe(CHANNEL)
    // The publisher's connection: what it holds for Redis's return (its offline queue)
    const publisher = () => (transport as any).template.made[0]
    return { proxy, bus, heard, publisher }
  }

  test('broadcasts made during an outage longer than the publisher\u2019s retries are delivered once Redis is back, in order, none left in the retry queue', async ({ assert }) => {
    const { proxy, bus, heard } = await behindProxy()

    assert.isTrue(await bus.publish(CHANNEL, 'before'))
    await waitFor(() => heard.length === 1, 5_000, 'the first broadcast')

    await proxy.cut()
    const during = [bus.publish(CHANNEL, 'during 1'), bus.publish(CHANNEL, 'during 2')]
    // A few reconnections later the publisher still holds them, as ioredis does by default (one
    // that failed a broadcast after one reconnection had put them in the retry queue by now)
    await sleep(3_000)
    assert.equal(bus.getRetryQueue().size(), 0, 'still waiting in the publisher')
    // Past ioredis's 20 reconnections (about 10.5 s): the broadcasts failed into the bus's retry queue
    await sleep(10_000)
    assert.deepEqual(await Promise.all(during), [false, false], 'given up by the publisher, kept by the bus')
    assert.equal(bus.getRetryQueue().size(), 2)

    await proxy.start()
    await waitFor(() => heard.length === 3, 10_000, 'the broadcasts of the outage').catch(() => {})
    assert.isTrue(await bus.publish(CHANNEL, 'after'))
    await waitFor(() => heard.length >= 4, 5_000, 'the broadcast after the outage').catch(() => {})
    assert.deepEqual(heard, ['before', 'during 1', 'during 2', 'after'])
    assert.equal(bus.getRetryQueue().size(), 0)
  }).timeout(60_000)

  test('a stock message that goes out late carries no figures: its pages are told to read them again', async ({ assert }) => {
    const { proxy, bus, heard, publisher } = await behindProxy()
    const stock = (count: number, at = Date.now()) => ({ type: 'broadcast', channel: 'stores/1/stock', payload: { reason: 'sale', products: [{ id: 7, stock: count }], at } })

    // Made while the publisher still connects (the transport was just made), the first waits for
    // it and keeps its figures; so does the next, made the instant it is heard (until 2026-12-07
    // both went out as refreshes while ioredis's ready check was unanswered: a flaky test in CI)
    assert.isTrue(await bus.publish(CHANNEL, stock(10)))
    await waitFor(() => heard.length === 1, 5_000, 'the first broadcast')
    assert.deepEqual(heard[0].payload.products, [{ id: 7, stock: 10 }])
    heard.length = 0
    assert.isTrue(await bus.publish(CHANNEL, stock(9)))
    await waitFor(() => heard.length === 1, 5_000, 'the broadcast made while Redis is up')
    assert.deepEqual(heard[0].payload.products, [{ id: 7, stock: 9 }])

    // Sold meanwhile on another server, whose pages show 7 by the time this one goes out
    // (A broadcast in the instant between the connection dying and ioredis noticing is still
    // resent with its figures: a window of milliseconds, left)
    await proxy.cut()
    await sleep(200)
    const during = bus.publish(CHANNEL, stock(8))
    await sleep(1_500)
    await proxy.start()
    assert.isTrue(await during)
    await waitFor(() => heard.length === 2, 10_000, 'the broadcast of the outage')
    assert.isTrue(heard[1].payload.refresh)
    assert.notProperty(heard[1].payload, 'products')

    // One handed over long after it was made (from the bus's retry queue) goes the same way
    assert.isTrue(await bus.publish(CHANNEL, stock(6, Date.now() - 5_000)))
    await waitFor(() => heard.length === 3, 5_000, 'the late broadcast')
    assert.isTrue(heard[2].payload.refresh)
    assert.notProperty(heard[2].payload, 'products')

    // A busy store through an outage: each message waits until its own deadline, not half a second
    // after the one before it (twelve were still being handed over six seconds on), and all keep
    // their order
    heard.length = 0
    await proxy.cut()
    await sleep(200)
    const busy = Array.from({ length: 12 }, (_, index) => bus.publish(CHANNEL, stock(100 + index)))
    await sleep(1_500)
    // All twelve past their deadline, so all handed to the publisher (three were, by then)
    assert.equal(publisher().offlineQueue.length, 12)
    await proxy.start()
    const back = Date.now()
    await waitFor(() => heard.length === 12, 10_000, 'the outage\u2019s twelve broadcasts')
    assert.isBelow(Date.now() - back, 2_500)
    assert.deepEqual(await Promise.all(busy), Array(12).fill(true))
    assert.isTrue(heard.every((message) => message.payload.refresh))
  }).timeout(45_000)

  test('closing while Redis does not answer its QUIT ends within about a second', async ({ assert }) => {
    redis = await startRedis(REDIS_PORT)
    const bus = new Bus(liveTransport({ host: '127.0.0.1', port: REDIS_PORT })(), { retryQueue: { enabled: true } })
    closing.push(() => bus.disconnect())
    // Both connections up: a broadcast went out, and a subscription was taken
    await bus.subscribe(CHANNEL, () => {})
    assert.isTrue(await bus.publish(CHANNEL, 'up'))

    // Redis stopped, its connections still open: a QUIT is never answered
    redis.kill('SIGSTOP')
    const started = Date.now()
    const closed = await Promise.race([bus.disconnect().then(() => true), sleep(5_000).then(() => false)])
    const took = Date.now() - started
    redis.kill('SIGCONT')
    assert.isTrue(closed, 'closing ended')
    assert.isBelow(took, 2_000)
    assert.isAtLeast(took, 900, 'the quit was waited for first')
  }).timeout(30_000)
})
