import { test } from '@japa/runner'
import { startCapturedServer } from './server_child.js'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'

/*
| Redis is optional even when REDIS_HOST names one. A server started while it was down died some
| 20 s later: Transmit subscribes its live updates once, at start, and left the failure of that
| SUBSCRIBE unhandled (app/platform/live_transport.ts). Nothing listens on the port named here
| (this test's own range). The server must keep signing people in and selling, say so once, and
| stop cleanly on SIGTERM.
*/
test.group('Redis down when the server starts', () => {
  test('the server outlives the live updates\u2019 subscription, signs in and sells, warns once and stops cleanly', async ({ assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 350, stock: 5 })
    const port = Number(process.env.PORT) + 17
    const server = await startCapturedServer(port, { NODE_ENV: 'production', LOG_LEVEL: 'info', REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port + 1) })
    try {
      // ioredis gave a command up after 20 reconnections (about 11-25 s here): past that, and more
      const until = Date.now() + 35_000
      while (Date.now() < until) {
        assert.isNull(server.child.exitCode, server.output())
        await new Promise((resolve) => setTimeout(resolve, 2_500))
      }
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept': 'application/json' },
        body: JSON.stringify({ email: fixture.users.cashier.email, password: PASSWORD }),
      })
      assert.equal(login.status, 200, server.output())
      const { token } = (await login.json()) as { token: string }
      const sale = await fetch(`${server.url}/api/sales`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept': 'application/json', 'authorization': `Bearer ${token}` },
        body: JSON.stringify({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'card_external' }),
      })
      assert.equal(sale.status, 201, await sale.text())
      const output = server.output()
      // Not crashed by it, nor an error logged per attempt: one warning per outage and per use of
      // Redis (live updates, identity changes, rate limits), never a FATAL line per reconnection
      assert.notMatch(output, /"level":(50|60)/)
      assert.notInclude(output, 'Unhandled')
      for (const warning of ['Live updates cannot reach Redis', 'Cannot listen for identity changes', 'Redis is unreachable']) {
        assert.isAtMost(output.split(warning).length - 1, 1, warning)
      }
    } finally {
      assert.equal(await server.stop(), 0, server.output())
    }
  }).timeout(120_000)

  test('an ace command run while Redis is down ends, with its own exit code', async ({ assert }) => {
    const { execFile } = await import('node:child_process')
    const { fileURLToPath } = await import('node:url')
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const redisPort = String(Number(process.env.PORT) + 18)
    const started = Date.now()
    const outcome = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(process.execPath, ['ace.js', 'migration:run', '--force'], { cwd: root, timeout: 60_000, env: { ...process.env, REDIS_HOST: '127.0.0.1', REDIS_PORT: redisPort } }, (error: any, stdout, stderr) =>
        resolve({ code: error ? (error.code ?? 1) : 0, output: stdout + stderr })
      )
    )
    assert.equal(outcome.code, 0, outcome.output)
    assert.notInclude(outcome.output, 'MaxRetriesPerRequestError')
    // It stopped on its own: before, it died of the subscription given up, or (closing) waited forever
    assert.isBelow(Date.now() - started, 45_000)
  }).timeout(90_000)

  test('pos:demo run while Redis is down ends, and says so once instead of at every reconnection', async ({ assert }) => {
    const { execFile } = await import('node:child_process')
    const { rmSync } = await import('node:fs')
    const { fileURLToPath } = await import('node:url')
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const file = `tmp/demo-redis-down-${process.pid}.sqlite3`
    // Its user saves tell the other servers through Redis: that connection's QUIT at the end waited
    // for a Redis that never came back, and AdonisJS logged each reconnection at FATAL
    const env = { ...process.env, DB_CONNECTION: 'sqlite', SQLITE_PATH: file, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(Number(process.env.PORT) + 18), AUTH_CACHE_TTL: '5000' }
    try {
      const started = Date.now()
      const outcome = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile(process.execPath, ['ace.js', 'pos:demo'], { cwd: root, timeout: 60_000, env }, (error: any, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, output: stdout + stderr }))
      )
      assert.equal(outcome.code, 0, outcome.output.slice(-2000))
      assert.include(outcome.output, 'Open POS Demo Grocery')
      assert.notMatch(outcome.output, /FATAL|"level":60/)
      assert.isBelow(Date.now() - started, 45_000)
    } finally {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${root}${file}${suffix}`, { force: true })
    }
  }).timeout(90_000)
})
