import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import type Product from '#models/product'
import type { Page } from 'playwright'
import { dbTimestamp } from '#platform/db_time'
import { TestDevice } from '../functional/offline/device.js'
import { openTill } from './offline/till_device.js'

/*
| What the real till's sync (resources/js/offline/sync.js) does with a queue the server cannot
| take in one go. The sales are made by the test's device with the till's own device id and
| head, and put into the till's IndexedDB queue as the till puts them; the page is then reloaded,
| finds them waiting, and syncs them by itself.
| - 25 sales of 400 lines are over 1.1 MB of JSON, over the server's 1 MB body limit: the till sent
|   them whole (413) every few seconds, for ever, and none reached the books.
| - Product names in Chinese are three bytes a character: the till capped a batch at 600,000
|   characters of JSON, so a batch under the cap was over the server's 1 MB (413, then halves).
|   It counts UTF-8 bytes now: every batch fits, and the server answers no 413.
| - A batch over the body limit all the same (a proxy in front set lower) is answered 413 and sent
|   again in halves.
| - A sale the server's validator refuses (an amount tendered past what a sale may take) held back
|   the sales before it until someone pressed Sync now.
| - A sale the server refuses but keeps for a manager is held as a conflict, and handed over once
|   a manager has looked (a refused sale blocked its register for good).
*/

const PORT = Number(process.env.PORT ?? 3334) + 36

/** The test device's queue put into the till's IndexedDB as the till queues a sale, with its head; the page reloaded finds them and syncs */
async function queueOnTill(page: Page, device: TestDevice) {
  const head = { register_id: device.registerId, last_number: device.lastNumber, last_hash: device.lastHash, device_id: device.deviceId }
  await page.evaluate(
    async ({ sales, head }) => {
      const open = (globalThis as any).indexedDB.open('open-pos-till', 1)
      const idb: any = await new Promise((resolve, reject) => ((open.onsuccess = () => resolve(open.result)), (open.onerror = () => reject(open.error))))
      const tx = idb.transaction(['queue', 'meta'], 'readwrite')
      sales.forEach((sale: any, i: number) => tx.objectStore('queue').put({ ...sale, state: 'waiting', problem: null, queued_at: Date.now() + i }))
      tx.objectStore('meta').put({ key: `head:${head.register_id}`, value: head })
      await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))))
    },
    { sales: device.queue, head }
  )
  await page.reload()
}

/**
 * The till's queue, [number, state, problem] per sale, once `ready` says so (20 s at most). The
 * till reloads itself once nothing is left to send: a read cut off by that is read again
 */
async function queueWhen(page: Page, ready: (rows: [number, string, string | null][]) => boolean) {
  for (let i = 0; i < 100; i++) {
    const rows = await page
      .evaluate(async () => {
        const open = (globalThis as any).indexedDB.open('open-pos-till', 1)
        const idb: any = await new Promise((resolve) => (open.onsuccess = () => resolve(open.result)))
        const all = idb.transaction('queue').objectStore('queue').getAll()
        const found: any[] = await new Promise((resolve) => (all.onsuccess = () => resolve(all.result)))
        return found.map((row) => [row.number, row.state, row.problem] as [number, string, string | null])
      })
      .catch(() => null)
    if (rows && ready(rows)) return rows
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error('the till\'s queue never got there')
}

async function recordedCount(registerId: number) {
  const row = await db.from('sales').where({ register_id: registerId, channel: 'offline' }).count('* as n').first()
  return Number(row.n)
}

/**
 * 8 sales of 300 lines on the till's register (its device id and head), whose product names are
 * 200 characters of three bytes each in UTF-8 (a store naming its products in Chinese)
 */
async function chineseQueue(fixture: TestStore) {
  const products: Product[] = []
  for (let i = 0; i < 5; i++) products.push(await createProduct(fixture, { name: `${'茶'.repeat(195)} ${i}`, price: 100 + i, stock: 100_000 }))
  const register = await db.from('registers').where('id', fixture.register.id).firstOrFail()
  const device = new TestDevice(fixture)
  ;(device as any).deviceId = register.lease_device_id
  device.lastNumber = Number(register.last_sale_number)
  device.lastHash = register.last_sale_hash ?? null
  const lines = Array.from({ length: 300 }, (_, i) => ({ product: products[i % 5], quantity: 1 }))
  for (let i = 0; i < 8; i++) await device.sell(lines)
  return device
}

/** The register's sales are numbers 1 to 8, each recorded once, in the order the till sold them */
async function assertRecordedInOrder(assert: any, fixture: TestStore, clientUuids: string[]) {
  const rows = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).orderBy('number').select('number', 'client_uuid')
  assert.deepEqual(rows.map((row) => Number(row.number)), Array.from({ length: clientUuids.length }, (_, i) => i + 1))
  assert.deepEqual(rows.map((row) => row.client_uuid), clientUuids)
}

test.group('Offline till sync: large queues and refused sales', () => {
  test('sales over the body limit go in smaller batches; a sale the validator refuses is kept, the ones before it are sent', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    const products: Product[] = []
    for (let i = 0; i < 5; i++) products.push(await createProduct(fixture, { name: `Bolt ${i}`, price: 100 + i, stock: 100_000 }))
    const { page } = await openTill(fixture, PORT, cleanup)

    // The till's lease: its device id and the register's head
    const register = await db.from('registers').where('id', fixture.register.id).firstOrFail()
    const device = new TestDevice(fixture)
    ;(device as any).deviceId = register.lease_device_id
    assert.isString(register.lease_device_id)
    device.lastNumber = Number(register.last_sale_number)
    device.lastHash = register.last_sale_hash ?? null
    const lines = Array.from({ length: 400 }, (_, i) => ({ product: products[i % 5], quantity: 1 }))
    for (let i = 0; i < 25; i++) await device.sell(lines)
    const refused = await device.sell([{ product: products[0], quantity: 1 }], { tendered: 10 ** 12 })
    await device.sell([{ product: products[1], quantity: 1 }])
    assert.isAbove(JSON.stringify(device.queue.slice(0, 25)).length, 1_100_000)

    await queueOnTill(page, device)
    for (let i = 0; i < 300 && (await recordedCount(fixture.register.id)) < 25; i++) await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(await recordedCount(fixture.register.id), 25)
    const queue = await queueWhen(page, (rows) => rows.length === 2 && rows.some(([, state]) => state === 'refused'))
    // The refused sale stays on the till with the server's reason, and the one after it waits behind it
    assert.deepEqual(queue.map(([number, state]) => [number, state]).sort(), [[refused.number, 'refused'], [refused.number + 1, 'waiting']])
    assert.match(queue.find(([, state]) => state === 'refused')![2]!, /tendered/i)
    const numbers = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).orderBy('number').select('number')
    assert.deepEqual(numbers.map((row) => Number(row.number)), Array.from({ length: 25 }, (_, i) => i + 1))
  }).timeout(180_000)

  test('sales whose product names are Chinese (3 bytes a character) go in batches that fit the body limit: no 413, every sale recorded exactly once', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    const { page } = await openTill(fixture, PORT, cleanup)
    const device = await chineseQueue(fixture)
    const answers: [number, number][] = []
    page.on('response', (response) => response.url().endsWith('/till/offline/sales') && answers.push([response.status(), Buffer.byteLength(response.request().postData()!)]))
    // The first batch the till made when it counted characters (up to 600,000) was over 1 MB as sent
    const byCharacters = device.queue.filter((_: any, i: number) => JSON.stringify(device.queue.slice(0, i + 1)).length <= 600_000)
    assert.isAbove(byCharacters.length, 1)
    assert.isAbove(Buffer.byteLength(JSON.stringify({ sales: byCharacters })), 1_048_576)
    const sent = device.queue.map((sale: any) => sale.client_uuid)

    await queueOnTill(page, device)
    await queueWhen(page, (rows) => rows.length === 0)
    // The server answered no 413 (it answered one and the halves when the till counted characters),
    // and each batch was under its 1 MB
    assert.deepEqual(answers.filter(([status]) => status !== 200), [])
    assert.isAbove(answers.length, 1)
    for (const [, bytes] of answers) assert.isBelow(bytes, 620_000)
    await assertRecordedInOrder(assert, fixture, sent)
  }).timeout(180_000)

  test('a batch over the body limit all the same (a proxy in front set lower) is answered 413 and sent again in halves: every sale recorded exactly once', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    const { page } = await openTill(fixture, PORT, cleanup)
    const device = await chineseQueue(fixture)
    // A proxy with a 300 KB limit in front of the server: a request over it never reaches the server
    const tooLarge: number[] = []
    await page.route('**/till/offline/sales', (route) => {
      const bytes = Buffer.byteLength(route.request().postData() ?? '')
      if (bytes <= 300_000) return route.continue()
      tooLarge.push(bytes)
      return route.fulfill({ status: 413, contentType: 'text/html', body: '<h1>413 Request Entity Too Large</h1>' })
    })
    const sent = device.queue.map((sale: any) => sale.client_uuid)

    await queueOnTill(page, device)
    await queueWhen(page, (rows) => rows.length === 0)
    assert.isAbove(tooLarge.length, 0)
    await assertRecordedInOrder(assert, fixture, sent)
  }).timeout(180_000)

  test('a sale the server refuses but keeps for a manager (the cash rounding changed since) holds the register as a conflict, and is handed over once looked at', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    // $4.29 + 8% = $4.63: to the cent, as the till's settings said when it sold
    const tea = await createProduct(fixture, { name: 'Tea', price: 429, stock: 100 })
    // The store rounds cash to 5 cents now; the sales below were made under the 1 cent the till held
    // (the test device prices with the fixture's settings of before)
    await db.from('stores').where('id', fixture.store.id).update({ cash_rounding: 5 })
    const { page } = await openTill(fixture, PORT, cleanup)
    const register = await db.from('registers').where('id', fixture.register.id).firstOrFail()
    const device = new TestDevice(fixture)
    ;(device as any).deviceId = register.lease_device_id
    device.lastNumber = Number(register.last_sale_number)
    device.lastHash = register.last_sale_hash ?? null
    const held = [await device.sell([{ product: tea, quantity: 1 }]), await device.sell([{ product: tea, quantity: 2 }])]
    await queueOnTill(page, device)
    // Marked a conflict (a refusal without a review stayed 'refused' and no hand-off could take it)
    await queueWhen(page, (rows) => rows.some(([number, state]) => number === held[0].number && state === 'conflict'))
    const review = await db.from('offline_reviews').where({ client_uuid: held[0].client_uuid, kind: 'conflict' }).firstOrFail()
    await db.from('offline_reviews').where('id', review.id).update({ resolved_at: dbTimestamp() })
    // Looked at: the till hands both over by itself and its queue is empty
    await queueWhen(page, (rows) => rows.length === 0)
    assert.equal(await db.from('offline_reviews').where({ store_id: fixture.store.id, kind: 'conflict' }).count('* as n').first().then((r) => Number(r.n)), 2)
    assert.equal(await recordedCount(fixture.register.id), 0)
  }).timeout(120_000)
})
