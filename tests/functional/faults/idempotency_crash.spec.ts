import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, stockOf } from '#tests/fixtures'
import { AppProcess } from './app_process.js'

/*
| A server killed with SIGKILL between an Idempotency-Key's claim and the commit of the write
| it guards (POS_FAULT, honoured only under NODE_ENV=test), then started again: the client's
| retry with the same key gets a final answer and the write happens once. The lease is 1 s here
| so a claim left by the dead server can be taken over without a long wait.
*/

const PORT = Number(process.env.PORT ?? 3334) + 7
const LEASE = { IDEMPOTENCY_LEASE_SECONDS: '1' }

/** The server dies on the way: the client sees the connection drop, never an answer */
async function killedBy(fault: string, send: (app: AppProcess) => Promise<Response>) {
  const app = await new AppProcess(PORT, LEASE).start({ POS_FAULT: fault })
  const failure = await send(app).then(
    (response) => `answered ${response.status}`,
    () => 'connection lost'
  )
  return { failure, ended: await app.ended() }
}

/** Retries while the answer is "still in progress" (the dead holder's lease running out) */
async function retry(send: () => Promise<Response>) {
  for (let attempt = 0; ; attempt++) {
    const response = await send()
    const body: any = await response.json()
    if (response.status !== 409 || body.errors?.[0]?.code !== 'idempotency_in_progress' || attempt >= 20) return { response, body }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

test.group('Idempotency-Keys survive a killed server', (group) => {
  let app: AppProcess | null = null
  group.each.teardown(async () => {
    await app?.stop()
    app = null
  })

  test('a payment: killed before its commit, the retry pays once', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = (await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }] })).body()
    const key = randomUUID()
    const pay = (server: AppProcess) => server.request('/api/payments', { method: 'POST', token, key, body: { sale_id: sale.id, method: 'cash', amount: sale.total, tendered: sale.total } })

    assert.deepEqual(await killedBy('after_idempotency_claim', pay), { failure: 'connection lost', ended: 'SIGKILL' })
    assert.equal(await countRows('payments', { sale_id: sale.id }), 0)

    app = await new AppProcess(PORT, LEASE).start()
    const first = await retry(() => pay(app!))
    assert.equal(first.response.status, 201)
    assert.containsSubset(first.body.sale, { status: 'completed', paid_total: sale.total })
    const again = await retry(() => pay(app!))
    assert.equal(again.response.status, 201)
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true')
    assert.deepEqual(again.body, first.body)
    assert.equal(await countRows('payments', { sale_id: sale.id }), 1)
    assert.equal(await stockOf(product.id), 9)
  }).timeout(120_000)

  test('a sale: killed before its commit, the retry sells once', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 700, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const sell = (server: AppProcess) => server.request('/api/sales', { method: 'POST', token, key, body: { items: [{ product_id: product.id, quantity: 2 }], payment_method: 'cash' } })

    assert.deepEqual(await killedBy('after_idempotency_claim', sell), { failure: 'connection lost', ended: 'SIGKILL' })
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)

    app = await new AppProcess(PORT, LEASE).start()
    const first = await retry(() => sell(app!))
    assert.equal(first.response.status, 201)
    const again = await retry(() => sell(app!))
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true')
    assert.equal(again.body.id, first.body.id)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(product.id), 3)
  }).timeout(120_000)

  test('a write of its own transaction (a customer): a claim left by a dead server is taken over after its lease', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const key = randomUUID()
    const name = `Crash ${key.slice(0, 8)}`
    const create = (server: AppProcess) => server.request('/api/customers', { method: 'POST', token, key, body: { name } })

    assert.deepEqual(await killedBy('after_idempotency_claim', create), { failure: 'connection lost', ended: 'SIGKILL' })
    // The claim outlived its holder; the write did not happen
    const claim = await db.from('idempotency_keys').where({ key }).first()
    assert.isNull(claim.status_code)
    assert.isNull(claim.written_at)
    assert.equal(await countRows('customers', { store_id: fixture.store.id, name }), 0)

    app = await new AppProcess(PORT, LEASE).start()
    const first = await retry(() => create(app!))
    assert.equal(first.response.status, 201)
    assert.equal(first.body.name, name)
    const again = await retry(() => create(app!))
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true')
    assert.equal(await countRows('customers', { store_id: fixture.store.id, name }), 1)
  }).timeout(120_000)

  test('a write that committed but whose answer was lost: a final answer, and no second write', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const key = randomUUID()
    const name = `Lost ${key.slice(0, 8)}`
    const create = (server: AppProcess) => server.request('/api/customers', { method: 'POST', token, key, body: { name } })

    assert.deepEqual(await killedBy('after_idempotent_write', create), { failure: 'connection lost', ended: 'SIGKILL' })
    assert.equal(await countRows('customers', { store_id: fixture.store.id, name }), 1)
    assert.isNotNull((await db.from('idempotency_keys').where({ key }).first()).written_at)

    app = await new AppProcess(PORT, LEASE).start()
    const settled = await retry(() => create(app!))
    assert.equal(settled.response.status, 200)
    assert.equal(settled.body.errors[0].code, 'idempotency_answer_lost')
    assert.equal(await countRows('customers', { store_id: fixture.store.id, name }), 1)
  }).timeout(120_000)
})
