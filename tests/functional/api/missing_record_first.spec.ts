import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { createPairingCode } from '#hardware/pairing'

/*
| A request on a record that does not exist (or is another store's) is a 404, whatever its body:
| the routes that read their body before looking the record up answered a bad body on a missing
| id with a 422 on the body's field, so a client told to fix its body would fix it and then learn
| that there was nothing to change. Each route is tried on a missing id, on another store's
| record and, with the same bad body, on a record that exists (the 422 it still is).
*/

interface Case {
  name: string
  /** The address for a record id */
  url: (id: number) => string
  method: 'post' | 'put' | 'get'
  /** A body the validator refuses (a GET sends it as its query string) */
  bad: Record<string, unknown>
  token: 'manager' | 'admin'
}

const CASES: Case[] = [
  { name: 'a product updated', method: 'put', url: (id) => `/api/products/${id}`, bad: { price: 'free' }, token: 'manager' },
  { name: 'a customer updated', method: 'put', url: (id) => `/api/customers/${id}`, bad: { email: 'not an email' }, token: 'manager' },
  { name: 'a sale refunded', method: 'post', url: (id) => `/api/sales/${id}/refunds`, bad: { items: 'all' }, token: 'manager' },
  { name: 'a sale exchanged', method: 'post', url: (id) => `/api/sales/${id}/exchanges`, bad: { return_items: [] }, token: 'manager' },
  { name: 'a sale voided', method: 'post', url: (id) => `/api/sales/${id}/void`, bad: { reason: 12 }, token: 'manager' },
  { name: 'a shift closed', method: 'post', url: (id) => `/api/shifts/${id}/close`, bad: { amount: 'lots' }, token: 'manager' },
  { name: 'a cash movement', method: 'post', url: (id) => `/api/shifts/${id}/cash-movements`, bad: { kind: 'gift' }, token: 'manager' },
  { name: 'a transfer received', method: 'post', url: (id) => `/api/stock/transfers/${id}/receive`, bad: { items: 'all' }, token: 'manager' },
  { name: 'a product’s movements', method: 'get', url: (id) => `/api/products/${id}/movements`, bad: { page: 'last' }, token: 'manager' },
  { name: 'a customer read', method: 'get', url: (id) => `/api/customers/${id}`, bad: { page: 'last' }, token: 'manager' },
]

/** One record of each kind in the store, by the case's name */
async function records(client: any, fixture: TestStore) {
  const manager = await apiToken(client, fixture.users.manager)
  const product = await createProduct(fixture, { stock: 10, sku: `MR-${fixture.tag}` })
  const sale = await client.post('/api/sales').bearerToken(manager).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'card_external' })
  sale.assertStatus(201)
  const customer = await client.post('/api/customers').bearerToken(manager).json({ name: `Ana ${fixture.tag}`, email: `ana.${fixture.tag}@example.com` })
  customer.assertStatus(201)
  const shift = await client.get('/api/shifts/current').bearerToken(manager)
  shift.assertStatus(200)
  return {
    'a product updated': product.id,
    'a customer updated': customer.body().id,
    'a sale refunded': sale.body().id,
    'a sale exchanged': sale.body().id,
    'a sale voided': sale.body().id,
    'a shift closed': shift.body().data.id,
    'a cash movement': shift.body().data.id,
    'a product’s movements': product.id,
    'a customer read': customer.body().id,
  } as Record<string, number>
}

function send(client: any, token: string, c: Case, id: number) {
  const request = client[c.method](c.url(id)).bearerToken(token)
  return c.method === 'get' ? request.qs(c.bad) : request.json(c.bad)
}

test.group('API: a missing record is a 404 before its body is read', () => {
  test('each route on a missing id or another store’s record answers 404 not_found with a bad body; on a record of the store the same body is a 422', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const mine = await records(client, fixture)
    const theirs = await records(client, other)
    // A transfer in transit from the other store to this one: this store receives it, the other does not
    const sent = await createProduct(other, { sku: `MR-${fixture.tag}`, stock: 5 })
    const transfer = await client.post('/api/stock/transfers').bearerToken(await apiToken(client, other.users.manager)).json({ to_store_id: fixture.store.id, items: [{ product_id: sent.id, quantity: 1 }] })
    transfer.assertStatus(201)
    const outgoing = await client.post('/api/stock/transfers').bearerToken(await apiToken(client, fixture.users.manager)).json({ to_store_id: other.store.id, items: [{ product_id: mine['a product updated'], quantity: 1 }] })
    outgoing.assertStatus(201)
    mine['a transfer received'] = transfer.body().id
    // One this store sent is not its to receive: the other store's record, as far as receiving goes
    theirs['a transfer received'] = outgoing.body().id

    const tokens = { manager: await apiToken(client, fixture.users.manager), admin: await apiToken(client, fixture.users.admin) }
    for (const c of CASES) {
      for (const [whose, id] of [['no record', 4_000_000_000], ['another store’s', theirs[c.name]]] as const) {
        const response = await send(client, tokens[c.token], c, id)
        assert.equal(response.status(), 404, `${c.name}, ${whose}: ${JSON.stringify(response.body())}`)
        assert.equal(response.body().errors[0].code, 'not_found', `${c.name}, ${whose}`)
      }
      const refused = await send(client, tokens[c.token], c, mine[c.name])
      assert.equal(refused.status(), 422, `${c.name}, this store’s: ${JSON.stringify(refused.body())}`)
    }
  })

  test('a bridge’s job result: a job that is not the bridge’s is a 404 whatever the body', async ({ client, assert }) => {
    const fixture = await createStore()
    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    const paired = await client.post('/api/bridge/pair').json({ code, name: 'Till PC' })
    paired.assertStatus(201)
    const missing = await client.post('/api/bridge/jobs/4000000000/result').bearerToken(paired.body().token).json({ ok: 'yes' })
    missing.assertStatus(404)
    assert.equal(missing.body().errors[0].code, 'not_found')
  })
})
