import { test } from '@japa/runner'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import { startServer, waitForServer, type ServerProcess } from '../../../commands/_server.js'

/*
| Two app servers (child processes on two ports, the same database, one Redis): a sale made
| through one reaches an SSE subscriber of the other. Runs only when REDIS_HOST is set.
*/
const redisHost = process.env.REDIS_HOST

test.group('Live updates through Redis', () => {
  test('a sale on server A reaches a subscriber connected to server B', async ({ assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 20 })
    const base = Number(process.env.PORT)
    const ports = [base + 4, base + 5]
    const env = (port: number) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      // Signed-cookie sessions (the test runner's own are in memory), so either server reads them
      SESSION_DRIVER: 'cookie',
      REDIS_HOST: redisHost,
    })
    const servers: ServerProcess[] = ports.map((port) => startServer(new URL('../../../', import.meta.url), env(port)))
    let stream: LiveStream | null = null
    try {
      await Promise.all(servers.map((server, i) => waitForServer(server, ports[i], 90_000)))
      const [urlA, urlB] = ports.map((port) => `http://127.0.0.1:${port}`)

      const sessionB = await signIn(urlB, fixture.users.manager.email, PASSWORD)
      stream = await new LiveStream(sessionB).open()
      assert.equal(await stream.subscribe(`stores/${fixture.store.id}/stock`), 204)

      const login = await fetch(`${urlA}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: fixture.users.cashier.email, password: PASSWORD }),
      })
      const { token } = (await login.json()) as { token: string }
      const sale = await fetch(`${urlA}/api/sales`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` },
        body: JSON.stringify({ items: [{ product_id: product.id, quantity: 2 }], payment_method: 'cash' }),
      })
      assert.equal(sale.status, 201)

      const message = await stream.waitFor((m) => m.channel === `stores/${fixture.store.id}/stock` && m.payload.reason === 'sale')
      assert.deepEqual(message.payload.products, [{ id: product.id, stock: 18, low: false }])
    } finally {
      stream?.close()
      await Promise.all(servers.map((server) => server.stop()))
    }
  })
    .skip(!redisHost, 'REDIS_HOST is not set: two servers need Redis to share broadcasts')
    .timeout(180_000)
})
