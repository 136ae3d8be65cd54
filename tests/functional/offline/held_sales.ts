import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { TestDevice } from './device.js'

/*
| Sales held for review, for the specs of recording them (held_sale_record.spec.ts and its crash
| test). The lost answer: the till's online sale #1 (tea ×1, cash) is recorded while its answer is
| lost; the till's first offline sale takes #1 again (the same tea ×1: the same sale rung again) and
| conflicts; the next two (other customers) are held behind it. Made `daysAgo` days back at noon
| (or `at`, the next two 5 and 9 minutes later).
*/
export async function lostAnswer(client: any, daysAgo = 2, options: { at?: DateTime } = {}) {
  const fixture = await createStore()
  const tea = await createProduct(fixture, { price: 450, stock: 50 })
  const cake = await createProduct(fixture, { price: 325, stock: 10 })
  const device = new TestDevice(fixture)
  ;(await device.takeLease(client)).assertStatus(200)
  const at = options.at ?? DateTime.utc().minus({ days: daysAgo }).set({ hour: 12, minute: 0 })
  const held = [
    await device.sell([{ product: tea, quantity: 1 }], { at }),
    await device.sell([{ product: tea, quantity: 2 }, { product: cake, quantity: 1 }], { at: at.plus({ minutes: 5 }) }),
    await device.sell([{ product: cake, quantity: 3 }], { cash: false, at: at.plus({ minutes: 9 }) }),
  ]
  const token = await apiToken(client, fixture.users.cashier)
  ;(await client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID()).header('X-Till-Device', device.deviceId).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })).assertStatus(201)
  const [refused] = (await device.sync(client, held[0])).body().results
  if (refused.outcome !== 'conflict') throw new Error(`setup: ${JSON.stringify(refused)}`)
  return { fixture, tea, cake, device, held }
}

/** The review that keeps a sale whole (kind conflict) */
export const reviewOf = (clientUuid: string) => db.from('offline_reviews').where({ client_uuid: clientUuid, kind: 'conflict' }).first()
