import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { htmxIdle } from '#tests/browser/htmx_idle'
import { signInAtTill } from '#tests/browser/till_page'
import { disablePluginForTest, enablePluginForTest } from '#tests/plugins'
import { startTerminalSimulator } from '#plugins/terminal_simulator'

/*
| A split tender with the page reloaded between its payments: the card payment already taken (its
| approval typed) is the server's, and the till shows it after the reload with what is left due, so
| the cashier does not type the approval again and charge the card twice. A payment still waiting
| for its terminal when the page was reloaded is shown waiting, polled as before the reload: the
| page showed the cart as if nothing were being charged (and refused every change of it, "a card
| payment is in progress"), and nothing asked the terminal any more.
*/

const SIM_PORT = Number(process.env.PORT ?? 3334) + 5

async function scanChair(page: any) {
  await htmxIdle(page, { requests: false })
  const input = page.getByLabel('Scan or search')
  await input.fill('5000112637922')
  await input.press('Enter')
  await page.locator('.cart-line', { hasText: 'Garden Chair' }).waitFor()
}

/** $10.00 of the $25.00 chair by a card whose approval is typed, then the page reloaded: the cart's totals as before it */
async function cardPartThenReload(page: any, assert: any, card: { method: string; amount: string; approval: string }) {
  await htmxIdle(page, { requests: false })
  await page.keyboard.press('F9')
  await page.getByRole('button', { name: card.method }).click()
  await page.getByLabel(card.amount).fill('10.00')
  await page.getByLabel(card.approval).fill('APPR42')
  await page.getByRole('button', { name: 'Card approved: record payment' }).click()
  await page.getByTestId('due').filter({ hasText: '$15.00' }).waitFor()
  const before = await page.locator('#cart-totals').innerText()
  assert.include(before, card.method)

  await page.reload()
  await page.locator('.cart-line', { hasText: 'Garden Chair' }).waitFor()
  await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
  assert.equal(await page.locator('#cart-totals').innerText(), before)
  await page.getByRole('button', { name: 'Pay' }).filter({ hasText: '$15.00' }).waitFor()
}

test.group('Till split tender in Chromium', () => {
  test('a card part payment, then the page reloaded: the payment and the rest due are shown, and cash completes the sale', async ({ visit, assert }) => {
    const fixture = await createStore({ taxPpm: 0 })
    await createProduct(fixture, { name: 'Garden Chair', price: 2500, barcode: '5000112637922', stock: 5 })
    const page = await signInAtTill(visit, fixture.users.cashier.email)
    await scanChair(page)
    await cardPartThenReload(page, assert, { method: 'Card (external terminal)', amount: 'Amount charged on the card machine', approval: 'Approval code (optional)' })
    await page.getByRole('button', { name: 'Remove Card (external terminal) payment' }).waitFor()

    // The rest in cash completes the sale: one card payment, not two
    await htmxIdle(page, { requests: false })
    await page.keyboard.press('F9')
    await page.getByRole('button', { name: 'Cash', exact: true }).click()
    await page.getByLabel('Amount tendered').fill('20.00')
    await page.locator('[data-testid="change-preview"]', { hasText: '$5.00' }).waitFor()
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByTestId('change-due').waitFor()
    const sale = await db.from('sales').where({ store_id: fixture.store.id, status: 'completed' }).firstOrFail()
    const payments = await db.from('payments').where('sale_id', sale.id).orderBy('id').select('method', 'amount', 'reference')
    assert.deepEqual(payments.map((p) => [p.method, Number(p.amount), p.reference]), [['card_external', 1000, 'APPR42'], ['cash', 1500, null]])
  }).timeout(60_000)

  test('a card machine payment (its approval typed) for part of the sale, then the page reloaded: it is shown, and the rest is due', async ({ visit, assert, cleanup }) => {
    await enablePluginForTest('manual-card')
    cleanup(() => disablePluginForTest('manual-card'))
    const fixture = await createStore({ taxPpm: 0 })
    await createProduct(fixture, { name: 'Garden Chair', price: 2500, barcode: '5000112637922', stock: 5 })
    const page = await signInAtTill(visit, fixture.users.cashier.email)
    await scanChair(page)
    await cardPartThenReload(page, assert, { method: 'Card machine', amount: 'Amount to charge', approval: 'Approval code from the card machine' })
    const payments = await db.from('payments').join('sales', 'sales.id', 'payments.sale_id').where('sales.store_id', fixture.store.id).select('payments.method', 'payments.amount', 'payments.status', 'payments.reference')
    assert.deepEqual(payments.map((p) => [p.method, Number(p.amount), p.status, p.reference]), [['manual_card', 1000, 'approved', 'APPR42']])
  }).timeout(60_000)

  test('a terminal payment still waiting for the card when the page is reloaded: shown waiting and polled; once approved, the rest is due', async ({ visit, assert, cleanup }) => {
    const simulator = await startTerminalSimulator(SIM_PORT)
    cleanup(() => simulator.close())
    const control = (body: object) => fetch(`http://127.0.0.1:${SIM_PORT}/control`, { method: 'POST', body: JSON.stringify(body) })
    await enablePluginForTest('terminal-sim', { url: `http://127.0.0.1:${SIM_PORT}`, timeout_ms: '1500', label: 'Card (terminal)' })
    cleanup(() => disablePluginForTest('terminal-sim'))
    // The customer takes their time: pending until the test settles it
    await control({ mode: 'approve', delayMs: 60_000, dropNext: false })
    const fixture = await createStore({ taxPpm: 0 })
    await createProduct(fixture, { name: 'Garden Chair', price: 2500, barcode: '5000112637922', stock: 5 })
    const page = await signInAtTill(visit, fixture.users.cashier.email)
    await scanChair(page)

    await htmxIdle(page, { requests: false })
    await page.keyboard.press('F9')
    await page.getByRole('button', { name: 'Card (terminal)' }).click()
    await page.getByLabel('Amount to charge').fill('10.00')
    await page.getByRole('button', { name: 'Send to terminal' }).click()
    await page.getByText('Present card…').waitFor()
    const [pending] = await db.from('payments').join('sales', 'sales.id', 'payments.sale_id').where('sales.store_id', fixture.store.id).select('payments.id', 'payments.status')
    assert.equal(pending.status, 'pending')

    await page.reload()
    await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
    await page.locator(`[data-gateway-payment="${pending.id}"]`).waitFor()
    assert.equal(await page.getByTestId('gateway-amount').textContent(), '$10.00')
    // Still asked: the approval given at the terminal after the reload reaches the till
    await control({ settle: 'approve' })
    await page.getByTestId('due').filter({ hasText: '$15.00' }).waitFor({ timeout: 10_000 })
    assert.include(await page.locator('#cart-totals').innerText(), 'Card (terminal)')
    const payments = await db.from('payments').where('id', pending.id).select('status', 'amount')
    assert.deepEqual(payments.map((p) => [p.status, Number(p.amount)]), [['approved', 1000]])
  }).timeout(60_000)
})
