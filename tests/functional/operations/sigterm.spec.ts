import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { get as httpGet } from 'node:http'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import { startCapturedServer } from './server_child.js'

/*
| SIGTERM while tills are selling: a real server process, several API clients completing sales
| with Idempotency-Keys, a live-update stream open, and SIGTERM in the middle. The server stops
| taking connections, finishes the sales in flight, closes the stream and exits 0. Every sale
| answered 201 is in the database exactly once; no client gets a 5xx. A refused connection is
| fine (the sale did not happen); a request that got no answer is counted apart, and its sale
| exists at most once (a retry with its key would answer it).
*/

type Outcome = { key: string; status?: number; saleId?: number; error?: 'refused' | 'no_answer'; afterSignal?: boolean }

test.group('Stopping cleanly', () => {
  test('SIGTERM during a load of sales: answered sales are kept once, no 5xx, exit 0', async ({ assert }) => {
    const fixture = await createStore({ allowNegativeStock: true })
    const mug = await createProduct(fixture, { stock: 100_000 })
    const server = await startCapturedServer(Number(process.env.PORT) + 12, { NODE_ENV: 'production', LOG_LEVEL: 'info', SESSION_DRIVER: 'cookie', SHUTDOWN_TIMEOUT: '15' })
    const outcomes: Outcome[] = []
    let exitCode: number | null = null
    try {
      const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: fixture.users.cashier.email, password: PASSWORD }) })
      const token: string = ((await login.json()) as any).token
      const stream = await new LiveStream(await signIn(server.url, fixture.users.manager.email, PASSWORD)).open()

      let answered = 0
      let stop = false
      let signalled = false
      const client = async () => {
        while (!stop) {
          const key = randomUUID()
          const outcome: Outcome = { key }
          outcomes.push(outcome)
          try {
            const response = await fetch(`${server.url}/api/sales`, {
              method: 'POST',
              headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
              body: JSON.stringify({ items: [{ product_id: mug.id, quantity: 1 }], payment_method: 'cash' }),
            })
            outcome.status = response.status
            outcome.afterSignal = signalled
            const body: any = await response.json()
            if (response.status === 201) outcome.saleId = body.id
            answered++
          } catch (error: any) {
            const code = error?.cause?.code
            outcome.error = code === 'ECONNREFUSED' ? 'refused' : 'no_answer'
            return
          }
        }
      }
      const clients = Array.from({ length: 6 }, () => client())
      // SIGTERM once the load runs (some sales answered, others in flight)
      while (answered < 30) await new Promise((resolve) => setTimeout(resolve, 5))
      server.child.kill('SIGTERM')
      signalled = true
      exitCode = await server.exited
      stop = true
      await Promise.all(clients)
      stream.close()
    } finally {
      if (exitCode === null) await server.stop('SIGKILL')
    }

    assert.equal(exitCode, 0, server.output())
    const created = outcomes.filter((o) => o.status === 201)
    const failed = outcomes.filter((o) => o.status !== undefined && o.status !== 201)
    const unanswered = outcomes.filter((o) => o.error === 'no_answer')
    assert.isAtLeast(created.length, 30)
    assert.deepEqual(failed.map((o) => o.status), [], 'a client got another answer than 201')

    // Each answered sale once, with the id its client was given; unanswered ones at most once
    const rows = await db.from('sales').where({ store_id: fixture.store.id }).select('id')
    const ids = new Set(rows.map((r) => Number(r.id)))
    for (const outcome of created) assert.isTrue(ids.has(outcome.saleId!), `sale ${outcome.saleId} answered 201 is missing`)
    assert.equal(new Set(created.map((o) => o.saleId)).size, created.length)
    const keys = await db.from('idempotency_keys').where({ user_id: fixture.users.cashier.id }).whereIn('key', unanswered.map((o) => o.key)).whereNotNull('status_code')
    assert.equal(rows.length, created.length + keys.length, `${created.length} answered, ${unanswered.length} unanswered, ${rows.length} sales`)
    assert.include(server.output(), 'Stopped')
    // The sales in flight when the signal came were finished and answered
    assert.isAtLeast(created.filter((o) => o.afterSignal).length, 1, 'no sale was answered after SIGTERM')
  }).timeout(120_000)
})

test.group('Stopping cleanly / workers', () => {
  test('WEB_CONCURRENCY=2: a scrape of /metrics counts every worker\'s requests; SIGTERM stops all and exits 0', async ({ assert }) => {
    const port = Number(process.env.PORT) + 13
    const server = await startCapturedServer(port, { NODE_ENV: 'production', LOG_LEVEL: 'info', WEB_CONCURRENCY: '2' })
    let exitCode: number | null = null
    try {
      // New connections each time: the primary hands them to the workers in turn
      const get = (path: string) =>
        new Promise<string>((resolve, reject) => {
          httpGet({ host: '127.0.0.1', port, path, agent: false }, (response) => {
            let text = ''
            response.on('data', (chunk) => (text += chunk))
            response.on('end', () => resolve(text))
          }).on('error', reject)
        })
      for (let i = 0; i < 20; i++) await get('/health/live')
      const text = await get('/metrics')
      const line = text.split('\n').find((l) => l.startsWith('pos_http_request_duration_seconds_count{route="/health/live"'))
      assert.equal(Number(line?.split(' ').at(-1)), 20, text.slice(0, 2000))
      server.child.kill('SIGTERM')
      exitCode = await server.exited
    } finally {
      if (exitCode === null) await server.stop('SIGKILL')
    }
    assert.equal(exitCode, 0, server.output())
    assert.lengthOf(server.output().match(/"msg":"Stopped"/g) ?? [], 2)
  }).timeout(120_000)
})
