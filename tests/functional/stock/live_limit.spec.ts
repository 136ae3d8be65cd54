import { test } from '@japa/runner'
import env from '#start/env'
import { createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'

/*
| One signed-in user opened any number of live-update streams, each under a new uid: a cashier's
| script could hold thousands of sockets on a server. A user may hold LIVE_STREAMS_PER_USER
| (50; 10 here, to keep the test short) on a server (app/platform/live_streams.ts); the next is a 429 the page waits out (public/js/live.js).
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const LIMIT = 10

test.group('Live updates: streams per user', (group) => {
  group.each.setup(() => {
    const before = env.get('LIVE_STREAMS_PER_USER')
    env.set('LIVE_STREAMS_PER_USER', LIMIT as any)
    return () => {
      env.set('LIVE_STREAMS_PER_USER', before as any)
      // env.set also writes process.env, where undefined would become "undefined" for child servers
      if (before === undefined) delete process.env.LIVE_STREAMS_PER_USER
    }
  })
  test('a user past 10 open streams is refused with a 429 in words; a stream closed frees its place; a page opening its own uid again is let through', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
    const streams: LiveStream[] = []
    try {
      // Another sign-in of the same person (a second device) shares the limit
      const elsewhere = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
      for (let i = 0; i < LIMIT; i++) streams.push(await new LiveStream(i % 2 ? session : elsewhere).open())

      const next = new LiveStream(session)
      const refused = await session.request(`/__transmit/events?uid=${next.uid}`, { headers: { accept: 'text/event-stream' } })
      assert.equal(refused.status, 429)
      assert.equal(refused.headers.get('retry-after'), '15')
      const body = (await refused.json()) as any
      assert.equal(body.errors[0].code, 'too_many_streams')
      assert.include(body.errors[0].message, '10 pages with live updates open on this server already')
      // live.js asks why its stream failed: this page's uid is not one of the held ones
      const asked = await session.request(`/__transmit/signed-in?uid=${next.uid}`)
      assert.equal(asked.status, 429)
      assert.equal(asked.headers.get('retry-after'), '15')
      await asked.text()

      // A page whose stream comes back under its own uid takes its own place
      assert.equal((await session.request(`/__transmit/signed-in?uid=${streams[1].uid}`)).status, 204)
      const again = new LiveStream(session)
      again.uid = streams[1].uid
      await again.open()
      streams[1] = again
      assert.equal(await again.subscribe(`stores/${fixture.store.id}/stock`), 204)

      // Someone else is not held by this person's streams
      const colleague = await new LiveStream(await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)).open()
      streams.push(colleague)

      // A stream closed (a tab shut) frees its place once the server sees it go
      streams[0].close()
      let status = 0
      for (let tries = 0; tries < 40 && status !== 200; tries++) {
        await sleep(50)
        const answer = await session.request(`/__transmit/events?uid=${next.uid}`, { headers: { accept: 'text/event-stream' } })
        status = answer.status
        if (status !== 200) await answer.text()
        else await answer.body?.cancel()
      }
      assert.equal(status, 200)
    } finally {
      for (const stream of streams) stream.close()
    }
  })
})
