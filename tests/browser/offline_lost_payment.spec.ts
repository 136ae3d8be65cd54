import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline } from './offline/till_device.js'
import { disablePluginForTest, enablePluginForTest } from '#tests/plugins'
import { startTerminalSimulator } from '#plugins/terminal_simulator'

/*
| A payment's answer lost as the server goes (the likeliest fault of a store's bad day): the server
| recorded the sale, the till never learnt it, and its offline screen starts with an empty cart. A
| cashier who sells it again there makes the sale twice (the second one held at sync as a conflict).
| The offline screen says the payment may have been recorded, and keeps saying it while it sells;
| a scan or any other request unanswered does not make it say so.
*/

const PORT = Number(process.env.PORT ?? 3334) + 25
const SIM_PORT = Number(process.env.PORT ?? 3334) + 4
const PAYMENT_UNANSWERED = 'No answer came for the last payment'

async function scanOnline(page: any, code: string) {
  const input = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
  await input.fill(code)
  await input.press('Enter')
  await page.locator('#cart-panel .cart-line').first().waitFor()
}

test.group('Offline till: a payment whose answer was lost', () => {
  test('the offline screen says the last payment may have been recorded, and keeps saying it', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, page } = await openTill(fixture, PORT, cleanup)
    await scanOnline(page, '96385074')
    // The payment reaches the server, which records it; its answer is lost with the server
    await page.route('**/till/payments', async (route: any) => {
      await route.fetch()
      await server.kill()
      await route.abort('connectionreset')
    })
    await page.keyboard.press('F9')
    await page.getByRole('button', { name: 'Cash', exact: true }).click()
    await page.getByLabel('Amount tendered').fill('5.00')
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await offline(page).getByTestId('offline-warning').filter({ hasText: PAYMENT_UNANSWERED }).waitFor({ timeout: 20_000 })
    const recorded = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).select('number')
    assert.deepEqual(recorded.map((sale) => sale.number), [1])
    // A sale made offline clears the scan's messages, not this notice
    await sellOffline(page, ['96385074'])
    assert.include(await offline(page).getByTestId('offline-warning').textContent(), PAYMENT_UNANSWERED)
  }).timeout(120_000)

  test("a card payment approved at the terminal as the server goes: the poll's answer lost, the offline screen says it too", async ({ assert, cleanup }) => {
    const simulator = await startTerminalSimulator(SIM_PORT)
    cleanup(() => simulator.close())
    const control = (body: object) => fetch(`http://127.0.0.1:${SIM_PORT}/control`, { method: 'POST', body: JSON.stringify(body) })
    await control({ mode: 'approve', delayMs: 60_000, dropNext: false })
    await enablePluginForTest('terminal-sim', { url: `http://127.0.0.1:${SIM_PORT}`, timeout_ms: '1500', label: 'Card (terminal)' })
    cleanup(() => disablePluginForTest('terminal-sim'))
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, page } = await openTill(fixture, PORT, cleanup)
    await scanOnline(page, '96385074')
    await page.keyboard.press('F9')
    await page.getByRole('button', { name: 'Card (terminal)' }).click()
    await page.getByRole('button', { name: 'Send to terminal' }).click()
    await page.getByText('Present card…').waitFor()
    // The card approved: the poll that learns it completes the sale on the server, and its answer is lost with the server
    let approved = false
    await page.route('**/till/gateway-payments/*', async (route: any) => {
      // (the polls after it find the server gone)
      const answer = await route.fetch().catch(() => null)
      if (!answer) return route.abort('connectionrefused')
      if (!approved) return route.fulfill({ response: answer })
      await server.kill()
      await route.abort('connectionreset')
    })
    await control({ settle: 'approve' })
    approved = true
    await offline(page).getByTestId('offline-warning').filter({ hasText: PAYMENT_UNANSWERED }).waitFor({ timeout: 20_000 })
    const recorded = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).select('number')
    assert.deepEqual(recorded.map((sale) => sale.number), [1])
  }).timeout(120_000)

  test('a scan unanswered turns the till offline without the notice', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { page } = await openTill(fixture, PORT, cleanup)
    await page.route('**/till/scan', (route: any) => route.abort('connectionreset'))
    const input = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await input.fill('96385074')
    await input.press('Enter')
    await offline(page).getByLabel('Scan or search').waitFor({ timeout: 20_000 })
    assert.equal(await offline(page).getByTestId('offline-warning').count(), 0)
  }).timeout(120_000)
})
