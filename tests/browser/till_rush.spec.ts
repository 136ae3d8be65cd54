import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { htmxIdle } from '#tests/browser/htmx_idle'

/* The till at rush hour: a scanner faster than the server, double clicks, a slow network */

async function signInAtTill(visit: any, browserContext: any, email: string) {
  // No service worker: once the offline till's worker controls the page, page.route() no longer sees its requests
  await browserContext.addInitScript(() => delete (globalThis as any).Navigator.prototype.serviceWorker)
  const page = await visit('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Register 1' }).click()
  await page.getByLabel('Scan or search').waitFor()
  await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
  return page
}

/** Answers of the server held back `ms` (written at once, answered late) */
function slowDown(page: any, pattern: string, ms: number) {
  return page.route(pattern, async (route: any) => {
    const response = await route.fetch()
    await new Promise((resolve) => setTimeout(resolve, ms))
    await route.fulfill({ response })
  })
}

/** A keyboard-wedge scanner: the code's characters 5 ms apart, then Enter, into the focused field */
async function wedgeScan(page: any, code: string) {
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

const cartLines = (page: any) =>
  page.locator('#cart-lines .cart-line').evaluateAll((items: any[]) => items.map((li) => `${li.querySelector('.name').textContent} x${li.querySelector('input[name=quantity]').value}`))

async function savedLines(storeId: number) {
  const rows = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.store_id', storeId).orderBy('sale_items.id').select('sale_items.name', 'sale_items.quantity')
  return rows.map((row) => `${row.name} x${row.quantity}`)
}

test.group('Till at rush hour in Chromium', () => {
  for (const latency of [0, 800]) {
    test(`scans typed while the last one is on its way all count, in order (answers ${latency} ms late)`, async ({ visit, browserContext, assert }) => {
      const fixture = await createStore()
      await createProduct(fixture, { name: 'Cola', price: 1000, barcode: '5000112637922', stock: 50 })
      await createProduct(fixture, { name: 'Gum', price: 250, barcode: '4006381333931', stock: 50 })
      const page = await signInAtTill(visit, browserContext, fixture.users.cashier.email)
      if (latency) await slowDown(page, '**/till/scan', latency)

      // The same code twice quickly, then another, each typed while the one before is in flight
      await wedgeScan(page, '5000112637922')
      await wedgeScan(page, '5000112637922')
      await wedgeScan(page, '4006381333931')
      await page.locator('.cart-line', { hasText: 'Gum' }).waitFor({ timeout: 10_000 })
      await htmxIdle(page)

      assert.deepEqual(await cartLines(page), ['Cola x2', 'Gum x1'])
      assert.deepEqual(await savedLines(fixture.store.id), ['Cola x2', 'Gum x1'])
      assert.equal(await page.getByLabel('Scan or search').inputValue(), '')
      assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'scan-input')
    })
  }
})
