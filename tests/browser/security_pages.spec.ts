import { test } from '@japa/runner'
import type { BrowserContext } from 'playwright'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { pageViolations } from '#tests/browser_guard'

async function signIn(visit: any, email: string) {
  const page = await visit('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url: URL) => url.pathname !== '/login')
  return page
}

/** Loads a page with its scripts run, then asserts it reported no violation */
async function open(page: any, context: BrowserContext, assert: any, path: string) {
  const response = await page.goto(new URL(path, page.url()).href)
  assert.equal(response.status(), 200, path)
  assert.include(response.headers()['content-security-policy'], "script-src 'self' 'nonce-", path)
  await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
  await page.waitForLoadState('networkidle')
  assert.deepEqual(pageViolations(context), [], path)
}

test.group('Pages under the Content-Security-Policy in Chromium', () => {
  test('the till sells with Alpine components and htmx and reports no violation', async ({ visit, browserContext, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Arctic Blast Energy Drink Sugar Free 500ml', price: 1000, stock: 10 })
    const page = await signIn(visit, fixture.users.cashier.email)
    await page.getByRole('button', { name: 'Register 1' }).click()
    await open(page, browserContext, assert, '/till')

    await page.getByRole('button', { name: /Arctic Blast Energy Drink/ }).click()
    await page.locator('.cart-line', { hasText: 'Arctic Blast' }).waitFor()
    // cartLine: the discount form opens and closes
    const discount = page.getByLabel('Discount value for Arctic Blast Energy Drink Sugar Free 500ml')
    assert.isFalse(await discount.isVisible())
    await page.getByRole('button', { name: 'Discount on Arctic Blast Energy Drink Sugar Free 500ml' }).click()
    await discount.waitFor({ state: 'visible' })
    // The form came from the server (htmx); the cashier types into it at once, not into the scan field
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('name') === 'discount_value')
    await page.getByRole('button', { name: 'Discount on Arctic Blast Energy Drink Sugar Free 500ml' }).click()
    await discount.waitFor({ state: 'hidden' })
    // payment: Pay opens cash with the tendered field focused; a quick amount fills it
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByLabel('Amount tendered').waitFor({ state: 'visible' })
    await page.getByRole('button', { name: 'Tendered $20.00' }).click()
    // $10.80 with tax; read by the core's parseMoney, which the till's bundle brings after the first paint
    await page.locator('[data-testid="change-preview"]', { hasText: '$9.20' }).waitFor()
    await page.getByLabel('Amount tendered').fill('5')
    await page.getByText('(less than due: taken as part payment)').waitFor({ state: 'visible' })
    // A sign is no amount the server takes: no change, and no "part payment" promised
    await page.getByLabel('Amount tendered').fill('-5')
    await page.getByText('(less than due: taken as part payment)').waitFor({ state: 'hidden' })
    assert.equal(await page.getByTestId('change-preview').textContent(), '—')
    await page.getByRole('button', { name: 'Back to the cart (Esc)' }).click()
    await page.getByRole('button', { name: 'Pay', exact: true }).waitFor({ state: 'visible' })
    // The line's fetched discount form applies: 10% of $10.00
    await page.getByRole('button', { name: 'Discount on Arctic Blast Energy Drink Sugar Free 500ml' }).click()
    await discount.fill('10')
    await page.getByRole('button', { name: 'Apply' }).first().click()
    await page.locator('[data-testid="discounts"]', { hasText: '$1.00' }).waitFor()
    // The price form opens with the price selected: typing replaces it ("1.00" before "10.00" read "1.0010.00")
    await page.getByRole('button', { name: 'Change price of Arctic Blast Energy Drink Sugar Free 500ml' }).click()
    const price = page.getByLabel('New price for Arctic Blast Energy Drink Sugar Free 500ml')
    await price.waitFor({ state: 'visible' })
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('name') === 'price')
    await page.keyboard.type('1.00')
    assert.equal(await price.inputValue(), '1.00')
    // F10 opens Switch user with the focus in it: a PIN typed next went to the scan field, and on screen
    await page.keyboard.press('F10')
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.id === 'switch-user')
    await page.getByRole('button', { name: 'Cancel' }).click()
    // A search match put in the cart empties the search: its text stayed, and the next scan was read after it
    await page.getByLabel('Scan or search').fill('arctic')
    await page.locator('#matches .match').first().click()
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#scan-input')?.value === '' && !(globalThis as any).document.querySelector('#matches .match'))
    assert.deepEqual(pageViolations(browserContext), [])
  })

  test('the drawer count adds up under the CSP', async ({ visit, browserContext, assert }) => {
    const fixture = await createStore()
    const page = await signIn(visit, fixture.users.manager.email)
    await page.goto(new URL('/till', page.url()).href)
    await page.getByRole('button', { name: 'Register 1' }).click()
    await open(page, browserContext, assert, '/till/shift/close')
    const first = page.locator('input[data-value]').first()
    const value = Number(await first.getAttribute('data-value'))
    await first.fill('3')
    const total = page.locator('b[x-text="totalText"]')
    await total.filter({ hasText: `$${((3 * value) / 100).toFixed(2)}` }).waitFor()
    // A count below zero is refused by the server: it adds nothing here either (it showed -3.00)
    await first.fill('-3')
    await total.filter({ hasText: '$0.00' }).waitFor()
    assert.deepEqual(pageViolations(browserContext), [])
  })

  test('the back office pages of each role report no violation', async ({ visit, browserContext, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await createProduct(fixture, { name: 'Big Apple Cider', price: 450, stock: 3 })
    const manager = await signIn(visit, fixture.users.manager.email)
    for (const path of ['/backoffice', '/backoffice/products', '/backoffice/reports', '/backoffice/customers', '/backoffice/shifts', '/backoffice/categories']) {
      await open(manager, browserContext, assert, path)
    }
    await manager.context().clearCookies()
    const admin = await signIn(visit, fixture.users.admin.email)
    await open(admin, browserContext, assert, '/backoffice/plugins')
  })

  test('the guard sees a violation: an inline style set by a script is refused and reported', async ({ visit, browserContext, assert }) => {
    const page = await visit('/login')
    await page.evaluate(() => (globalThis as any).document.body.setAttribute('style', 'background: red'))
    await page.waitForFunction(() => true)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const seen = pageViolations(browserContext)
    assert.isAbove(seen.length, 0)
    assert.match(seen.join('\n'), /style-src/)
    // Expected here: emptied so the suite's guard does not fail this test
    seen.length = 0
  })
})
