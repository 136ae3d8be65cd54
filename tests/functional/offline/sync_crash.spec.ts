import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, ledgerSum, PASSWORD, stockOf } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import { AppProcess, signIn } from '../faults/app_process.js'
import { TestDevice } from './device.js'

/*
| The server killed (SIGKILL) in the middle of an offline till's sync, then started again on the
| same database: the till sends its queue again, in batches, from the first sale it has no answer
| for, as the browser's till does (it drops a sale only once answered recorded or replayed). Killed
| twice: once at a random moment of a batch's request (before, during or after its transaction),
| once exactly where a batch has committed and its answer is never sent
| (POS_FAULT=after_offline_sale_commit, honoured only in tests). No sale may be lost or recorded
| twice, and the register's chain must stay whole.
*/

const PORT = Number(process.env.PORT ?? 3334) + 14
// The session in its cookie, as in production (the test runner's own is in memory): it outlives the server
const SESSION = { SESSION_DRIVER: 'cookie' }

/** Signs in as a browser does: the session's cookie and the till page's CSRF token */
async function signInToTill(app: AppProcess, email: string) {
  const jar = await signIn(app, email, PASSWORD)
  const page = await fetch(`${app.url}/till`, { headers: { cookie: jar.header() } })
  jar.keep(page)
  const token = /"x-csrf-token": "([^"]+)"/.exec(await page.text())![1]
  return { cookie: jar.header(), token }
}

test.group('Offline till: the server killed in the middle of a sync', (group) => {
  let app: AppProcess | null = null
  group.each.teardown(async () => {
    await app?.stop()
    app = null
  })

  test('20 offline sales in batches of 4, two kills (one at a random moment, one after a batch commits and its answer is lost): each recorded once, gapless, the chain verifies', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 100 })
    const cake = await createProduct(fixture, { price: 1200, stock: 100, taxClass: 'reduced' })
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })).assertStatus(201)

    app = await new AppProcess(PORT, SESSION).start()
    let session = await signInToTill(app, fixture.users.cashier.email)
    const post = (path: string, body: unknown) =>
      fetch(`${app!.url}${path}`, { method: 'POST', headers: { 'accept': 'application/json', 'content-type': 'application/json', 'cookie': session.cookie, 'x-csrf-token': session.token }, body: JSON.stringify(body) })

    // The till takes its lease while online, then sells 20 sales offline after the online one
    const device = new TestDevice(fixture)
    const lease = await post('/till/offline/lease', { device_id: device.deviceId, register_id: device.registerId, pending: 0 })
    assert.equal(lease.status, 200)
    const head: any = await lease.json()
    assert.equal(head.last_number, 1)
    device.lastNumber = head.last_number
    device.lastHash = head.last_hash
    for (let i = 0; i < 20; i++) {
      await device.sell([{ product: tea, quantity: 1 + (i % 3) }, ...(i % 2 ? [{ product: cake, quantity: 1 }] : [])], { cash: i % 4 !== 3 })
    }
    const sales = [...device.queue]

    /**
     * The till's sync: oldest first, in batches of BATCH (each one transaction on the server); a sale
     * leaves the queue only once answered recorded or replayed; a lost connection ends the pass
     */
    const BATCH = 4
    const firstAnswers = new Map<string, number>()
    const replays: { clientUuid: string; saleId: number }[] = []
    const syncPass = async (onAnswer: (answered: number) => number | void = () => {}) => {
      let answered = 0
      while (device.queue.length) {
        const batch = device.queue.slice(0, BATCH)
        const answer = await post('/till/offline/sales', { sales: batch }).then(
          async (response) => ({ response, body: (await response.json()) as any }),
          () => null
        ).catch(() => null)
        if (!answer) return 'connection lost'
        const { response, body } = answer
        assert.equal(response.status, 200, JSON.stringify(body))
        assert.deepEqual(body.results.map((r: any) => [r.client_uuid, r.number]), batch.map((s) => [s.client_uuid, s.number]))
        for (const result of body.results) {
          assert.include(['recorded', 'replayed'], result.outcome, JSON.stringify(result))
          if (result.outcome === 'recorded') firstAnswers.set(result.client_uuid, result.sale_id)
          else replays.push({ clientUuid: result.client_uuid, saleId: result.sale_id })
          device.queue.shift()
        }
        answered += batch.length
        // A pause before the next batch, when the caller asks for one
        const pause = onAnswer(answered)
        if (pause) await new Promise((resolve) => setTimeout(resolve, pause))
      }
      return 'synced'
    }

    // 1. Killed at a random moment while the till syncs: once 3 to 8 sales are answered, 0 to 20 ms
    // later. The batches after that go 10 ms apart, so the 3 or more left outlast the delay (batches
    // answered in a few ms each would otherwise all be synced before the kill lands)
    const killAfter = 3 + Math.floor(Math.random() * 6)
    const delay = Math.floor(Math.random() * 20)
    const first = app
    let armed = true
    assert.equal(
      await syncPass((answered) => {
        if (armed && answered >= killAfter) setTimeout(() => first.server.child.kill('SIGKILL'), delay)
        armed = armed && answered < killAfter
        return armed ? 0 : 10
      }),
      'connection lost',
      `killed after ${killAfter} answers and ${delay} ms`
    )
    assert.equal(await first.ended(), 'SIGKILL')
    const leftAfterRandomKill = device.queue.length
    assert.isAbove(leftAfterRandomKill, 0)

    // 2. Started again, armed: the first batch it records commits, and the server dies before answering
    app = await new AppProcess(PORT, SESSION).start({ POS_FAULT: 'after_offline_sale_commit' })
    session = await signInToTill(app, fixture.users.cashier.email)
    assert.equal(await syncPass(), 'connection lost')
    assert.equal(await app.ended(), 'SIGKILL')
    const lostBatch = device.queue.slice(0, BATCH)
    assert.isAbove(lostBatch.length, 1, 'a batch of several sales')
    for (const sale of lostBatch) assert.equal(Number((await db.from('sales').where('client_uuid', sale.client_uuid).count('* as n').first()).n), 1, 'each sale of the batch whose answer was lost is recorded')

    // 3. Started again on the same database, the session of before still valid: the queue drains
    app = await new AppProcess(PORT, SESSION).start()
    assert.equal(await syncPass(), 'synced')
    for (const sale of lostBatch) {
      const recordedLost = await db.from('sales').where('client_uuid', sale.client_uuid).select('id').first()
      assert.deepInclude(replays, { clientUuid: sale.client_uuid, saleId: Number(recordedLost.id) })
    }

    // Every sale once: 1 online + 20 offline, numbers 1..21 without a gap, each offline UUID once
    const rows = await db.from('sales').where('register_id', fixture.register.id).whereNotNull('number').orderBy('number').select('id', 'number', 'channel', 'client_uuid')
    assert.deepEqual(rows.map((r) => Number(r.number)), Array.from({ length: 21 }, (_, i) => i + 1))
    assert.deepEqual(rows.slice(1).map((r) => r.client_uuid), sales.map((s) => s.client_uuid))
    assert.isTrue(rows.slice(1).every((r) => r.channel === 'offline'))
    const idOf = new Map(rows.map((r) => [r.client_uuid, Number(r.id)]))

    // Each replay (the lost answer, and any sale the random kill committed unanswered) named the first record
    for (const replay of replays) assert.equal(replay.saleId, idOf.get(replay.clientUuid))
    for (const [clientUuid, saleId] of firstAnswers) assert.equal(saleId, idOf.get(clientUuid))
    assert.equal(firstAnswers.size + replays.length, 20)

    // The whole queue sent again (a restored device): 200 replayed, the first sale's id, nothing new
    device.queue = [...sales]
    replays.length = 0
    assert.equal(await syncPass(), 'synced')
    assert.lengthOf(replays, 20)
    for (const replay of replays) assert.equal(replay.saleId, idOf.get(replay.clientUuid))
    assert.equal(Number((await db.from('sales').where('register_id', fixture.register.id).count('* as n').first()).n), 21)

    // The chain verifies; the register's head is the till's; the stock ledger adds up to the stock
    const verdicts = await verifyChains(fixture.store.id)
    assert.deepEqual(verdicts.filter((v) => !v.ok).map((v) => v.problem), [])
    const renewed: any = await (await post('/till/offline/lease', { device_id: device.deviceId, register_id: device.registerId, pending: 0 })).json()
    assert.deepEqual([renewed.last_number, renewed.last_hash], [21, device.lastHash])
    const teaSold = 1 + sales.reduce((sum, s) => sum + s.items.filter((i: any) => i.product_id === tea.id).reduce((q: number, i: any) => q + i.quantity, 0), 0)
    assert.equal(await stockOf(tea.id), 100 - teaSold)
    assert.equal(await stockOf(tea.id), await ledgerSum(tea.id))
    assert.equal(await stockOf(cake.id), 100 - 10)
    assert.equal(await stockOf(cake.id), await ledgerSum(cake.id))
  }).timeout(90_000)
})
