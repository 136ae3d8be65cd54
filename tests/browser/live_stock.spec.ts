import { test } from '@japa/runner'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'

test.group('Live stock in Chromium', () => {
  test('a sale at the till updates the stock shown on a second page without a reload', async ({ visit, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Live Cola', price: 1000, barcode: '5000112637922', stock: 10 })

    const till = await visit('/login')
    await till.getByLabel('Email').fill(fixture.users.manager.email)
    await till.getByLabel('Password').fill(PASSWORD)
    await till.getByRole('button', { name: 'Sign in' }).click()
    await till.waitForURL((url: URL) => !url.pathname.startsWith('/login'))
    await till.goto('/till')
    await till.getByRole('button', { name: 'Register 1' }).click()
    await till.getByLabel('Scan or search').waitFor()
    await till.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)

    // A second page of the same store: the back-office product list, listening live
    const list = await visit(`/backoffice/products?search=${encodeURIComponent('Live Cola')}`)
    await list.waitForSelector('body[data-live-subscribed="true"]')
    const shown = list.locator(`[data-stock-of="${product.id}"]`)
    assert.equal((await shown.textContent())?.trim(), '10')
    // The till's grid shows the figure too
    await till.locator(`#grid [data-stock-of="${product.id}"]`).waitFor()
    await till.waitForSelector('body[data-live-subscribed="true"]')
    // The till is the page in front (a background tab's timers are throttled)
    await till.bringToFront()

    const input = till.getByLabel('Scan or search')
    await input.fill('5000112637922')
    await input.press('Enter')
    await till.locator('.cart-line', { hasText: 'Live Cola' }).waitFor()
    await till.keyboard.press('F9')
    await till.getByRole('button', { name: 'Cash', exact: true }).click()
    await till.getByLabel('Amount tendered').fill('20.00')
    await till.getByRole('button', { name: /Complete sale/ }).click()
    await till.getByTestId('change-due').waitFor()

    // No reload: the figure changes in place on both pages
    await list.waitForFunction((id) => (globalThis as any).document.querySelector(`[data-stock-of="${id}"]`)?.textContent.trim() === '9', product.id)
    await till.waitForFunction((id) => (globalThis as any).document.querySelector(`#grid [data-stock-of="${id}"]`)?.textContent.trim() === '9', product.id)
    assert.equal((await shown.textContent())?.trim(), '9')
  })
})
