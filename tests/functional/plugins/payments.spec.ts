import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { pluginHost } from '#plugins/host'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { startTerminalSimulator, type TerminalSimulator } from '#plugins/terminal_simulator'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { eventually, pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'

const SIM_PORT = Number(process.env.PORT ?? 3334) + 1

function till(client: any, fixture: TestStore, method: 'get' | 'post' | 'patch', url: string) {
  return client[method](url)
    .loginAs(fixture.users.cashier)
    .withCsrfToken()
    .withCookie(REGISTER_COOKIE, String(fixture.register.id))
    .header('HX-Request', 'true')
}

async function enable(client: any, fixture: TestStore, id: string, settings: Record<string, unknown> = {}) {
  if (Object.keys(settings).length) (await pluginPost(client, fixture.users.admin, `/backoffice/plugins/${id}/settings`, settings)).assertStatus(302)
  ;(await pluginPost(client, fixture.users.admin, `/backoffice/plugins/${id}/enable`)).assertStatus(302)
  if (pluginHost.get(id).state !== 'enabled') throw new Error(`${id}: ${pluginHost.get(id).error}`)
}

/** A cart with one product on the register's till */
async function cartWith(client: any, fixture: TestStore, price: number) {
  const product = await createProduct(fixture, { price, taxClass: 'zero' })
  ;(await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })).assertStatus(200)
  const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').first()
  return { product, saleId: Number(sale.id) }
}

async function paymentsOf(saleId: number) {
  return db.from('payments').where('sale_id', saleId).orderBy('id').select('id', 'method', 'amount', 'status', 'reference', 'gateway', 'idempotency_key', 'message')
}

async function control(body?: object) {
  const response = await fetch(`http://127.0.0.1:${SIM_PORT}/control`, body ? { method: 'POST', body: JSON.stringify(body) } : {})
  return response.json() as Promise<any>
}

test.group('Payment gateways: manual card machine', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('the cashier confirms the approval and types the code; the payment completes the sale', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await enable(client, fixture, 'manual-card')
    const { saleId } = await cartWith(client, fixture, 1250)

    const page = await till(client, fixture, 'get', '/till')
    assert.include(page.text(), 'Card machine')
    assert.include(page.text(), 'Approval code from the card machine')
    // Its F7 is the built-in card's: its button shows no key, not an empty one
    assert.notInclude(page.text(), '<kbd></kbd>')

    const noCode = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'manual_card', amount: '12.50', approval_code: '' })
    noCode.assertStatus(422)
    assert.include(noCode.text(), 'Type the approval code the card machine printed')
    assert.lengthOf(await paymentsOf(saleId), 0)

    // Recording it as an ordinary payment (bypassing the gateway) is refused, on the till and the API
    const bypass = await till(client, fixture, 'post', '/till/payments').form({ method: 'manual_card', amount: '12.50' })
    bypass.assertStatus(422)
    const token = await apiToken(client, fixture.users.cashier)
    const api = await client.post('/api/payments').bearerToken(token).json({ sale_id: saleId, method: 'manual_card', amount: 1250 })
    api.assertStatus(422)
    assert.equal(api.body().errors[0].code, 'gateway_payment_required')

    const paid = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'manual_card', amount: '12.50', approval_code: 'A1B2C3' })
    paid.assertStatus(200)
    assert.include(paid.text(), 'data-completed-sale')
    assert.include(paid.text(), 'A1B2C3')
    const [payment] = await paymentsOf(saleId)
    assert.deepInclude(payment, { method: 'manual_card', amount: 1250, status: 'approved', reference: 'A1B2C3', gateway: 'manual-card' })
    const sale = await db.from('sales').where('id', saleId).first()
    assert.equal(sale.status, 'completed')
    // The approval that completed it opened the register's next cart, which the panel names
    const next = Number(/id="cart-panel"[^>]*data-sale-id="(\d+)"/.exec(paid.text())?.[1])
    const open = await db.from('sales').where({ register_id: sale.register_id, status: 'open' }).select('id')
    assert.deepEqual(open.map((r) => Number(r.id)), [next])
  })

  test('the built-in card method still works with the plugin enabled, and split with the card machine', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await enable(client, fixture, 'manual-card')
    const { saleId } = await cartWith(client, fixture, 3000)
    ;(await till(client, fixture, 'post', '/till/payments').form({ method: 'card_external', amount: '10.00', reference: 'EXT1' })).assertStatus(200)
    const rest = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'manual_card', approval_code: 'XYZ99' })
    assert.include(rest.text(), 'data-completed-sale')
    const payments = await paymentsOf(saleId)
    assert.deepEqual(payments.map((p) => [p.method, p.amount, p.status]), [['card_external', 1000, 'approved'], ['manual_card', 2000, 'approved']])
  })
})

test.group('Payment gateways: integrated terminal on a real socket', (group) => {
  let simulator: TerminalSimulator
  group.setup(async () => {
    simulator = await startTerminalSimulator(SIM_PORT)
    return () => simulator.close()
  })
  group.each.setup(async () => {
    useFolders()
    await control({ mode: 'approve', delayMs: 0, dropNext: false })
  })
  group.each.teardown(() => resetPlugins())

  // Generous for a loaded test machine; the silent terminal test shortens it
  const settings = { url: `http://127.0.0.1:${SIM_PORT}`, timeout_ms: '1500', label: 'Card (terminal)' }

  test('approve: the till shows "Present card…", polls the state, and completes the sale once approved', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await enable(client, fixture, 'terminal-sim', settings)
    const { saleId, product } = await cartWith(client, fixture, 1999)
    // The customer takes their time: the payment stays pending until the card is presented
    await control({ mode: 'approve', delayMs: 60_000 })

    const started = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'terminal_card' })
    started.assertStatus(200)
    assert.include(started.text(), 'Present card…')
    assert.include(started.text(), 'hx-trigger="every 1s"')
    const [pending] = await paymentsOf(saleId)
    assert.equal(pending.status, 'pending')
    assert.equal((await db.from('sales').where('id', saleId).first()).paid_total, 0)
    // The cart cannot change while the terminal works
    const change = await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    change.assertStatus(409)
    assert.include(change.text(), 'A card payment is in progress')
    ;(await till(client, fixture, 'post', '/till/void')).assertStatus(409)
    // Pressing the method again brings the payment in progress back, without a second charge
    const again = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'terminal_card' })
    assert.include(again.text(), `data-gateway-payment="${pending.id}"`)
    assert.lengthOf(await paymentsOf(saleId), 1)
    const stillPending = await till(client, fixture, 'get', `/till/gateway-payments/${pending.id}`)
    assert.include(stillPending.text(), 'Present card')

    await control({ settle: 'approve' })
    const done = await eventually(async () => {
      const poll = await till(client, fixture, 'get', `/till/gateway-payments/${pending.id}`)
      return poll.text().includes('data-completed-sale') ? poll : null
    })
    assert.include(done.text(), 'SIM-')
    const payments = await paymentsOf(saleId)
    assert.lengthOf(payments, 1)
    assert.equal(payments[0].status, 'approved')
    assert.match(payments[0].reference, /^SIM-\d{6}$/)
    assert.equal((await db.from('sales').where('id', saleId).first()).status, 'completed')
    const terminal = await control()
    assert.lengthOf(terminal.payments.filter((p: any) => p.key === pending.idempotency_key), 1)
  })

  test('decline and timeout leave the sale open and unpaid, with the reason for the cashier', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await enable(client, fixture, 'terminal-sim', settings)
    const { saleId } = await cartWith(client, fixture, 500)

    await control({ mode: 'decline', delayMs: 0 })
    const declined = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'terminal_card' })
    declined.assertStatus(200)
    assert.include(declined.text(), 'Declined: Insufficient funds. Take another payment.')

    await control({ mode: 'timeout', delayMs: 0 })
    const timedOut = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'terminal_card' })
    assert.include(timedOut.text(), 'The terminal timed out: No card was presented. Nothing was charged; try again.')

    assert.deepEqual((await paymentsOf(saleId)).map((p) => p.status), ['declined', 'timed_out'])
    const sale = await db.from('sales').where('id', saleId).first()
    assert.equal(sale.status, 'open')
    assert.equal(sale.paid_total, 0)

    // Cash still completes it
    const cash = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '5.00' })
    assert.include(cash.text(), 'data-completed-sale')
  })

  test('a silent terminal leaves the payment unconfirmed; cancel waits for the terminal to confirm', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await enable(client, fixture, 'terminal-sim', { ...settings, timeout_ms: '300' })
    const { saleId } = await cartWith(client, fixture, 800)
    await control({ mode: 'silent' })

    const started = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'terminal_card' })
    started.assertStatus(200)
    assert.include(started.text(), 'Present card…')
    assert.include(started.text(), 'No answer from the terminal yet')
    const [pending] = await paymentsOf(saleId)
    const poll = await till(client, fixture, 'get', `/till/gateway-payments/${pending.id}`)
    assert.include(poll.text(), 'The terminal does not answer')
    const cancel = await till(client, fixture, 'post', `/till/gateway-payments/${pending.id}/cancel`)
    assert.include(cancel.text(), 'The terminal did not confirm the cancel')
    assert.equal((await paymentsOf(saleId))[0].status, 'pending')
    // Completing is impossible while it is unconfirmed: nothing counts toward the sale
    assert.equal((await db.from('sales').where('id', saleId).first()).status, 'open')

    await control({ mode: 'approve', delayMs: 60_000 })
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/terminal-sim/settings', settings)).assertStatus(302)
    const cancelled = await till(client, fixture, 'post', `/till/gateway-payments/${pending.id}/cancel`)
    assert.include(cancelled.text(), 'Payment cancelled')
    assert.equal((await paymentsOf(saleId))[0].status, 'cancelled')
    // The terminal keeps the key as cancelled: a late start under it cannot charge
    const terminal = await control()
    assert.equal(terminal.payments.find((p: any) => p.key === pending.idempotency_key).state, 'cancelled')
    assert.equal((await db.from('sales').where('id', saleId).first()).paid_total, 0)
  })

  test('a connection dropped mid-request is retried by asking for the key: one charge, one payment', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await enable(client, fixture, 'terminal-sim', settings)
    const { saleId } = await cartWith(client, fixture, 4200)
    await control({ mode: 'approve', delayMs: 0, dropNext: true })

    const paid = await till(client, fixture, 'post', '/till/gateway-payments').form({ method: 'terminal_card' })
    paid.assertStatus(200)
    assert.include(paid.text(), 'data-completed-sale')
    const payments = await paymentsOf(saleId)
    assert.lengthOf(payments, 1)
    assert.equal(payments[0].status, 'approved')
    assert.equal(payments[0].amount, 4200)

    const terminal = await control()
    const charges = terminal.payments.filter((p: any) => p.key === payments[0].idempotency_key)
    assert.lengthOf(charges, 1)
    assert.equal(charges[0].state, 'approved')
    assert.equal(charges[0].requests, 1)
    assert.equal(charges[0].reference, payments[0].reference)
    // The terminal never charged another amount under another key for this sale
    assert.lengthOf(terminal.payments.filter((p: any) => p.amount === 4200 && p.state === 'approved' && p.key !== payments[0].idempotency_key), 0)
  })

  test('node ace terminal:sim starts the simulator on the given port', async ({ assert }) => {
    const port = SIM_PORT + 1
    const child = spawn(process.execPath, ['ace.js', 'terminal:sim', '--port', String(port)], { cwd: app.makePath(), stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await new Promise<void>((resolve, reject) => {
        let output = ''
        child.stdout!.on('data', (chunk) => {
          output += chunk
          if (output.includes('listening')) resolve()
        })
        child.once('exit', (code) => reject(new Error(`terminal:sim exited with ${code}: ${output}`)))
      })
      const state: any = await (await fetch(`http://127.0.0.1:${port}/control`)).json()
      assert.equal(state.mode, 'approve')
    } finally {
      child.kill('SIGTERM')
    }
  }).timeout(30_000)
})
