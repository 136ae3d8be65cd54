import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import type Product from '#models/product'
import { TestDevice } from '../functional/offline/device.js'
import { openTill } from './offline/till_device.js'

/*
| What the real till's sync (resources/js/offline/sync.js) does with a queue the server cannot
| take in one go. The sales are made by the test's device with the till's own device id and
| head, and put into the till's IndexedDB queue as the till puts them; the page is then reloaded,
| finds them waiting, and syncs them by itself.
| - 25 sales of 400 lines are over 1.1 MB of JSON, over the server's 1 MB body limit: the till sent
|   them whole (413) every few seconds, for ever, and none reached the books.
| - A sale the server's validator refuses (an amount tendered past what a sale may take) held back
|   the sales before it until someone pressed Sync now.
*/

const PORT = Number(process.env.PORT ?? 3334) + 36

async function recordedCount(registerId: number) {
  const row = await db.from('sales').where({ register_id: registerId, channel: 'offline' }).count('* as n').first()
  return Number(row.n)
}

test.group('Offline till sync: large queues and a refused sale', () => {
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

    await page.evaluate(
      async ({ sales, head }) => {
        const open = (globalThis as any).indexedDB.open('open-pos-till', 1)
        const idb: any = await new Promise((resolve, reject) => ((open.onsuccess = () => resolve(open.result)), (open.onerror = () => reject(open.error))))
        const tx = idb.transaction(['queue', 'meta'], 'readwrite')
        sales.forEach((sale: any, i: number) => tx.objectStore('queue').put({ ...sale, state: 'waiting', problem: null, queued_at: Date.now() + i }))
        tx.objectStore('meta').put({ key: `head:${head.register_id}`, value: head })
        await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))))
      },
      { sales: device.queue, head: { register_id: fixture.register.id, last_number: device.lastNumber, last_hash: device.lastHash, device_id: device.deviceId } }
    )
    // The till finds sales waiting, and syncs them by itself
    await page.reload()
    for (let i = 0; i < 300 && (await recordedCount(fixture.register.id)) < 25; i++) await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(await recordedCount(fixture.register.id), 25)
    const left = await page.waitForFunction(
      async () => {
        const open = (globalThis as any).indexedDB.open('open-pos-till', 1)
        const idb: any = await new Promise((resolve) => (open.onsuccess = () => resolve(open.result)))
        const all = idb.transaction('queue').objectStore('queue').getAll()
        const rows: any[] = await new Promise((resolve) => (all.onsuccess = () => resolve(all.result)))
        return rows.length === 2 && rows.some((row) => row.state === 'refused') ? rows.map((row) => [row.number, row.state, row.problem]) : null
      },
      null,
      { timeout: 20_000 }
    )
    const queue = (await left.jsonValue()) as [number, string, string | null][]
    // The refused sale stays on the till with the server's reason, and the one after it waits behind it
    assert.deepEqual(queue.map(([number, state]) => [number, state]).sort(), [[refused.number, 'refused'], [refused.number + 1, 'waiting']])
    assert.match(queue.find(([, state]) => state === 'refused')![2]!, /tendered/i)
    const numbers = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).orderBy('number').select('number')
    assert.deepEqual(numbers.map((row) => Number(row.number)), Array.from({ length: 25 }, (_, i) => i + 1))
  }).timeout(180_000)
})
