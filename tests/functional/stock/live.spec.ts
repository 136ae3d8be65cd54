import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import transmit from '@adonisjs/transmit/services/main'
import { broadcastStock, resyncConnectedPages } from '#platform/live_updates_service'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

async function liveAs(email: string) {
  const session = await signIn(baseUrl(), email, PASSWORD)
  return new LiveStream(session).open()
}

test.group('Live updates: channels', () => {
  test('a user subscribes to their own store\'s channels and is refused another store\'s', async ({ assert }) => {
    const mine = await createStore()
    const theirs = await createStore()
    const stream = await liveAs(mine.users.cashier.email)
    try {
      assert.equal(await stream.subscribe(`stores/${mine.store.id}/stock`), 204)
      assert.equal(await stream.subscribe(`stores/${mine.store.id}/sales`), 204)
      // Another store than the session's: refused with a code (a page whose store was switched in
      // another tab stops on it; a bare 400 was asked again every 30 s)
      for (const channel of [`stores/${theirs.store.id}/stock`, `stores/${theirs.store.id}/sales`]) {
        const refused = await stream.session.request('/__transmit/subscribe', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': stream.session.csrf },
          body: JSON.stringify({ uid: stream.uid, channel }),
        })
        assert.equal(refused.status, 409)
        assert.equal(((await refused.json()) as any).errors[0].code, 'store_changed')
      }
      // Without the session's CSRF token: refused with a reason (it was a 500)
      const token = stream.session.csrf
      stream.session.csrf = 'not-the-token'
      assert.equal(await stream.subscribe(`stores/${mine.store.id}/stock`), 403)
      stream.session.csrf = token
    } finally {
      stream.close()
    }
  })

  test('a channel the app never broadcasts on is refused: a signed-in page could keep any number of any size in memory', async ({ assert }) => {
    const fixture = await createStore()
    const stream = await liveAs(fixture.users.cashier.email)
    try {
      // Each was kept for the stream's life (60 of 900 KB held 54 MB of the server's memory)
      for (const channel of ['x'.repeat(100_000), `Stores/${fixture.store.id}/sales`, `stores/${fixture.store.id}/sales/`, `stores/${fixture.store.id}`, `stores/${fixture.store.id}/stock/x`, `stores/0${fixture.store.id}/stock`, `stores/${'0'.repeat(50_000)}${fixture.store.id}/sales`]) {
        const refused = await stream.session.request('/__transmit/subscribe', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': stream.session.csrf },
          body: JSON.stringify({ uid: stream.uid, channel }),
        })
        assert.equal(refused.status, 400, channel.slice(0, 40))
        assert.deepEqual(await refused.json(), { errors: [{ message: 'No such live-update channel', code: 'invalid_channel', field: 'channel' }] })
      }
      assert.equal(await stream.subscribe(`stores/${fixture.store.id}/stock`), 204)
    } finally {
      stream.close()
    }
  })

  test('without signing in there is no stream and no subscription', async ({ assert }) => {
    const fixture = await createStore()
    const events = await fetch(`${baseUrl()}/__transmit/events?uid=${crypto.randomUUID()}`, { redirect: 'manual' })
    assert.oneOf(events.status, [302, 401])
    const subscribe = await fetch(`${baseUrl()}/__transmit/subscribe`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'x', channel: `stores/${fixture.store.id}/stock` }),
    })
    assert.oneOf(subscribe.status, [302, 401, 403])
  })

  test('a page signed out (in another tab) has its stream answered 401, and says so to live.js when asked', async ({ assert }) => {
    const fixture = await createStore()
    const stream = await liveAs(fixture.users.manager.email)
    const { session } = stream
    try {
      const signedIn = await session.request('/__transmit/signed-in')
      assert.equal(signedIn.status, 204)
      const out = await session.request('/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: session.csrf }).toString(),
      })
      assert.equal(out.status, 302)
      // The stream opened again with the session's cookie of now: it answered 500 (the sign-in
      // redirect's flash message written into the read-only session)
      const events = await session.request(`/__transmit/events?uid=${crypto.randomUUID()}`)
      assert.equal(events.status, 401)
      assert.deepEqual(await events.json(), { errors: [{ message: 'Sign in to receive live updates', code: 'unauthenticated' }] })
      const asked = await session.request('/__transmit/signed-in')
      assert.equal(asked.status, 401)
      assert.equal((await fetch(`${baseUrl()}/__transmit/signed-in`)).status, 401)
      assert.oneOf(await stream.subscribe(`stores/${fixture.store.id}/stock`), [401, 403])
    } finally {
      stream.close()
    }
  })
})

test.group('Live updates: broadcasts', () => {
  test('a sale and an adjustment reach the store\'s subscribers with the committed stock; another store hears nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const b = await createProduct(fixture, { stock: 4 })
    const stream = await liveAs(fixture.users.manager.email)
    const outsider = await liveAs(other.users.manager.email)
    try {
      assert.equal(await stream.subscribe(`stores/${fixture.store.id}/stock`), 204)
      assert.equal(await stream.subscribe(`stores/${fixture.store.id}/sales`), 204)
      assert.equal(await outsider.subscribe(`stores/${other.store.id}/stock`), 204)

      const token = await apiToken(client, fixture.users.cashier)
      const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 3 }, { product_id: b.id, quantity: 1 }], payment_method: 'cash' })
      sale.assertStatus(201)

      const saleMessage = await stream.waitFor((m) => m.channel === `stores/${fixture.store.id}/sales`)
      assert.deepEqual(saleMessage.payload.sales, [{ saleId: sale.body().id, registerId: sale.body().register_id, number: sale.body().number, total: sale.body().total }])
      const stockMessage = await stream.waitFor((m) => m.channel === `stores/${fixture.store.id}/stock` && m.payload.reason === 'sale')
      assert.sameDeepMembers(stockMessage.payload.products, [{ id: a.id, stock: 7, low: false }, { id: b.id, stock: 3, low: true }])

      const manager = await apiToken(client, fixture.users.manager)
      // A refund goes out on the sales channel too: the dashboard's takings are less by it
      const line = sale.body().items.find((item: any) => item.product_id === a.id)
      const refund = await client.post(`/api/sales/${sale.body().id}/refunds`).bearerToken(manager).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Dented' })
      refund.assertStatus(201)
      const refundMessage = await stream.waitFor((m) => m.channel === `stores/${fixture.store.id}/sales` && !!m.payload.refunds)
      assert.deepEqual(refundMessage.payload.refunds, [{ refundId: refund.body().id, saleId: sale.body().id, registerId: refund.body().register_id, total: refund.body().total }])

      await client.post('/api/stock/adjustments').bearerToken(manager).json({ reason: 'found', items: [{ product_id: b.id, quantity: 5 }] })
      const adjusted = await stream.waitFor((m) => m.payload.reason === 'adjustment')
      assert.deepEqual(adjusted.payload.products, [{ id: b.id, stock: 8, low: false }])

      // The other store's subscriber got nothing of this store (its own channel stayed quiet)
      assert.lengthOf(outsider.messages, 0)
    } finally {
      stream.close()
      outsider.close()
    }
  })

  test('the sales of a moment go out as one message: a dashboard reads its fragments once, not once per sale', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 100 })
    const stream = await liveAs(fixture.users.manager.email)
    try {
      assert.equal(await stream.subscribe(`stores/${fixture.store.id}/sales`), 204)
      const token = await apiToken(client, fixture.users.cashier)
      const sold = await Promise.all([1, 2, 3, 4].map(() => client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash' })))
      for (const sale of sold) sale.assertStatus(201)
      const ids = sold.map((sale) => sale.body().id)
      const heard = () => stream.messages.filter((m) => m.channel === `stores/${fixture.store.id}/sales`).flatMap((m) => m.payload.sales.map((s: { saleId: number }) => s.saleId))
      await stream.waitFor(() => ids.every((id) => heard().includes(id)))
      assert.sameMembers(heard(), ids)
      // Four sales within a quarter of a second: one message (two if the machine stalled between them)
      assert.isAtMost(stream.messages.filter((m) => m.channel === `stores/${fixture.store.id}/sales`).length, 2)
    } finally {
      stream.close()
    }
  })

  test('stock changes in a rush are merged over a longer moment; a quiet one goes out after 10 ms again', async ({ assert }) => {
    const fixture = await createStore()
    const products = await Promise.all([1, 2, 3, 4].map(() => createProduct(fixture, { stock: 20 })))
    const [p1, p2, p3, p4] = products.map((p) => p.id)
    const stream = await liveAs(fixture.users.manager.email)
    const change = (productId: number) => broadcastStock({ storeId: fixture.store.id, reason: 'adjustment', productIds: [productId] })
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    try {
      assert.equal(await stream.subscribe(`stores/${fixture.store.id}/stock`), 204)
      // A rush: three changes at once, one message (a change's promise is its message's)
      const rush = [change(p1), change(p2), change(p3)]
      assert.isTrue(rush.every((sent) => sent === rush[0]))
      await rush[0]
      // After it the store's next message waits 50 ms: two changes 20 ms apart share it
      const first = change(p4)
      await sleep(20)
      const second = change(p1)
      assert.strictEqual(second, first)
      await first
      // That one merged two: the next waits 10 ms again, so one 40 ms later is a message of its own
      const quiet = change(p2)
      await sleep(40)
      const later = change(p3)
      assert.notStrictEqual(later, quiet)
      await Promise.all([quiet, later])
      const heard = () => stream.messages.filter((m) => m.payload.reason === 'adjustment').map((m) => m.payload.products.map((p: { id: number }) => p.id))
      await stream.waitFor(() => heard().length >= 4)
      assert.deepEqual(heard().map((ids) => ids.sort((a: number, b: number) => a - b)), [[p1, p2, p3].sort((a, b) => a - b), [p1, p4].sort((a, b) => a - b), [p2], [p3]])
    } finally {
      stream.close()
    }
  })

  test('a server\'s resync tells each page on each channel it listens to, in one pass over the streams', async ({ assert }) => {
    const one = await createStore()
    const two = await createStore()
    const streams = [await liveAs(one.users.manager.email), await liveAs(one.users.cashier.email), await liveAs(two.users.manager.email)]
    const manager = transmit.getManager()
    const findByChannel = manager.findByChannel
    let walks = 0
    // Each call walks every stream of the server: broadcasting per channel made hundreds of walks
    manager.findByChannel = (channel: string) => (walks++, findByChannel.call(manager, channel))
    try {
      const [a, b, c] = streams
      assert.equal(await a.subscribe(`stores/${one.store.id}/stock`), 204)
      assert.equal(await a.subscribe(`stores/${one.store.id}/sales`), 204)
      assert.equal(await b.subscribe(`stores/${one.store.id}/stock`), 204)
      assert.equal(await c.subscribe(`stores/${two.store.id}/sales`), 204)
      resyncConnectedPages()
      await c.waitFor((m) => m.payload?.resync)
      await b.waitFor((m) => m.payload?.resync)
      await a.waitFor((m) => m.payload?.resync && m.channel.endsWith('/sales'))
      await new Promise((resolve) => setTimeout(resolve, 200))
      const resyncs = (stream: (typeof streams)[number]) => stream.messages.filter((m) => m.payload?.resync).map((m) => m.channel).sort()
      assert.deepEqual(resyncs(a), [`stores/${one.store.id}/sales`, `stores/${one.store.id}/stock`])
      assert.deepEqual(resyncs(b), [`stores/${one.store.id}/stock`])
      assert.deepEqual(resyncs(c), [`stores/${two.store.id}/sales`])
      assert.equal(walks, 0)
    } finally {
      manager.findByChannel = findByChannel
      for (const stream of streams) stream.close()
    }
  })

  test('a page that reconnects re-reads the figures: /live/stock answers only the store\'s own products', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const a = await createProduct(fixture, { stock: 2 })
    const theirs = await createProduct(other, { stock: 9 })
    const response = await client.get(`/live/stock?ids=${a.id},${theirs.id},nonsense`).loginAs(fixture.users.cashier)
    response.assertStatus(200)
    assert.deepEqual(response.body().products, [{ id: a.id, stock: 2, low: true }])
  })

  test('the transmit client is served like the other vendor scripts, and pages load the live script', async ({ client, assert }) => {
    const fixture = await createStore()
    const script = await client.get('/vendor/transmit.js')
    script.assertStatus(200)
    assert.include(script.text(), 'class')
    const page = await client.get('/backoffice/products').loginAs(fixture.users.manager)
    assert.include(page.text(), `data-live-store="${fixture.store.id}"`)
    assert.match(page.text(), /<script type="module" src="\/js\/live\.js\?v=[\w-]+"><\/script>/)
  })
})

test.group('Live updates: dashboard fragments', () => {
  test('the ticker, today\'s figures and the low-stock list re-read from the database', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { name: 'Ticker Tea', stock: 6, price: 1000 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 2 }], payment_method: 'cash' })
    sale.assertStatus(201)
    const manager = fixture.users.manager

    const ticker = await client.get('/backoffice/live/ticker').loginAs(manager)
    ticker.assertStatus(200)
    assert.include(ticker.text(), `href="/backoffice/sales/${sale.body().id}">#1</a>`)
    // With its day: the ticker also lists yesterday's sales, which the time alone mixed with today's
    assert.match(ticker.text(), /#1<\/a> · [^·<]+ · \$[\d.,]+ · [A-Z][a-z]{2} \d{1,2}, \d\d:\d\d:\d\d E[SD]T</)
    // With its register: each register numbers its own sales, so "#1" alone was two different sales
    assert.include(ticker.text(), `#1</a> · ${fixture.register.name} · `)
    assert.include(ticker.text(), 'hx-trigger="pos:sale from:document, pos:resync from:document"')
    const today = await client.get('/backoffice/live/today').loginAs(manager)
    assert.match(today.text(), /data-testid="today-count">1</)
    const low = await client.get('/backoffice/live/low-stock').loginAs(manager)
    assert.include(low.text(), 'Ticker Tea')
    const dashboard = await client.get('/backoffice').loginAs(manager)
    assert.include(dashboard.text(), 'id="sales-ticker"')
    assert.include(dashboard.text(), 'id="low-stock"')
    const cashier = await client.get('/backoffice/live/ticker').loginAs(fixture.users.cashier)
    cashier.assertStatus(403)
  })
})
