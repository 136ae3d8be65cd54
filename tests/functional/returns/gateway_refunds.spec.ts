import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { startTerminalSimulator, type TerminalSimulator } from '#plugins/terminal_simulator'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'
import { returnsFootprint } from './helpers.js'

/*
| A card paid on the integrated terminal is refunded through it: the simulator on a real socket
| sees one refund of that payment, a retried request refunds nothing more, and a terminal that
| cannot be reached writes no refund at all.
*/
const SIM_PORT = Number(process.env.PORT ?? 3334) + 3

function till(client: any, fixture: TestStore, url: string) {
  return client.post(url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function simulatorState() {
  return (await (await fetch(`http://127.0.0.1:${SIM_PORT}/control`)).json()) as any
}

test.group('Refunds through a payment gateway (terminal simulator)', (group) => {
  let simulator: TerminalSimulator | null = null
  group.each.setup(async () => {
    useFolders()
    simulator = await startTerminalSimulator(SIM_PORT)
    await fetch(`http://127.0.0.1:${SIM_PORT}/control`, { method: 'POST', body: JSON.stringify({ mode: 'approve', delayMs: 0, dropNext: false }) })
    return async () => {
      await simulator?.close()
      simulator = null
      await resetPlugins()
    }
  })

  test('a card sale is refunded on its terminal once, even when the request is retried; an unreachable terminal writes nothing', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const settings = { url: `http://127.0.0.1:${SIM_PORT}`, timeout_ms: '1500', label: 'Card (terminal)' }
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/terminal-sim/settings', settings)).assertStatus(302)
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/terminal-sim/enable')).assertStatus(302)

    const scarf = await createProduct(fixture, { name: 'Wool Scarf', price: 2500, taxClass: 'zero', stock: 5 })
    ;(await till(client, fixture, '/till/items').form({ product_id: scarf.id })).assertStatus(200)
    ;(await till(client, fixture, '/till/items').form({ product_id: scarf.id })).assertStatus(200)
    const paid = await till(client, fixture, '/till/gateway-payments').form({ method: 'terminal_card' })
    assert.include(paid.text(), 'data-completed-sale')
    const sale = await db.from('sales').where({ store_id: fixture.store.id, status: 'completed' }).firstOrFail()
    const payment = await db.from('payments').where({ sale_id: sale.id, status: 'approved' }).firstOrFail()
    assert.equal(payment.gateway, 'terminal-sim')
    const line = await db.from('sale_items').where('sale_id', sale.id).firstOrFail()

    const token = await apiToken(client, fixture.users.cashier)
    const refund = () =>
      client
        .post(`/api/sales/${sale.id}/refunds`)
        .bearerToken(token)
        .header('Idempotency-Key', `card-refund-${sale.id}`)
        .json({ items: [{ sale_item_id: line.id, quantity: 1, restock: true }], reason: 'Wrong colour' })
    const first = await refund()
    first.assertStatus(201)
    assert.deepEqual(first.body().payments, [{ method: 'terminal_card', amount: 2500 }])
    const again = await refund()
    again.assertStatus(201)
    assert.equal(again.body().id, first.body().id)
    const refunds = (await simulatorState()).refunds
    assert.lengthOf(refunds, 1)
    assert.deepInclude(refunds[0], { reference: payment.reference, amount: 2500 })

    // The terminal goes away: the second scarf cannot be refunded to the card, and nothing is written
    await simulator!.close()
    simulator = null
    const before = await returnsFootprint(fixture)
    const refused = await client
      .post(`/api/sales/${sale.id}/refunds`)
      .bearerToken(token)
      .json({ items: [{ sale_item_id: line.id, quantity: 1, restock: true }], reason: 'Too itchy' })
    refused.assertStatus(502)
    assert.equal(refused.body().errors[0].code, 'gateway_unreachable')
    assert.deepEqual(await returnsFootprint(fixture), before)
  })
})
