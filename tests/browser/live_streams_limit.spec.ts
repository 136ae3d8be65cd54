import { test } from '@japa/runner'
import env from '#start/env'
import { createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import { signInAtTill } from '#tests/browser/till_page'

/*
| A person may hold LIVE_STREAMS_PER_USER live-update streams on a server (50; 10 here, to keep
| the test short; app/platform/live_streams.ts): the 11th
| page's stream is answered 429. A browser tells the page no status: live.js asks the server why
| (GET /__transmit/signed-in), waits its Retry-After before each try instead of its usual 1 s, 2 s,
| 4 s..., says so (data-live="too-many-streams"), and listens once a place is free.
*/

const base = Number(process.env.PORT ?? 3334)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('Live pages past the streams a person may open', (group) => {
  group.each.setup(() => {
    const before = env.get('LIVE_STREAMS_PER_USER')
    env.set('LIVE_STREAMS_PER_USER', 10 as any)
    return () => {
      env.set('LIVE_STREAMS_PER_USER', before as any)
      // env.set also writes process.env, where undefined would become "undefined" for child servers
      if (before === undefined) delete process.env.LIVE_STREAMS_PER_USER
    }
  })
  test('the 11th page waits the server\u2019s Retry-After without hammering, says why, and listens once a stream closes', async ({ visit, assert }) => {
    const fixture = await createStore()
    const session = await signIn(`http://127.0.0.1:${base}`, fixture.users.cashier.email, PASSWORD)
    const held: LiveStream[] = []
    try {
      // Ten pages of the same person open elsewhere
      for (let i = 0; i < 10; i++) held.push(await new LiveStream(session).open())
      const till = await signInAtTill(visit, fixture.users.cashier.email)
      let streams = 0
      till.on('request', (request: any) => {
        if (request.url().includes('/__transmit/events')) streams++
      })
      await till.waitForSelector('body[data-live="too-many-streams"]', { timeout: 15_000 })
      // No stream asked for meanwhile: it waits 15 s (it asked again after 1 s, 2 s, 4 s...)
      const seen = streams
      await sleep(5000)
      assert.equal(streams, seen)
      assert.equal(await till.evaluate(() => (globalThis as any).document.body.dataset.live), 'too-many-streams')

      // A tab shut: the page takes its place on its next try and listens
      held.shift()!.close()
      await till.waitForSelector('body[data-live-subscribed="true"]', { timeout: 30_000 })
      assert.equal(await till.evaluate(() => (globalThis as any).document.body.dataset.live), 'connected')
      assert.isAtMost(streams - seen, 2)
    } finally {
      for (const stream of held) stream.close()
    }
  }).timeout(90_000)
})
