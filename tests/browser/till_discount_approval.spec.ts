import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD, PINS } from '#tests/fixtures'
import { htmxIdle } from '#tests/browser/htmx_idle'

/*
| A cashier's removal (or quantity) that takes the discounts past the store's limit: the refusal
| on the till carries a PIN field, and a manager standing by approves the same change on the spot
| (app/controllers/till/cart_controller.ts, till/_change_approval.edge).
*/

test.group('Till discount approval in Chromium', () => {
  test("removing a line past the discount limit: the cashier's till asks for a manager's PIN there and then", async ({ visit, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Green Tea', price: 1000, barcode: '5000112637922', taxClass: 'zero', stock: 10 })
    await createProduct(fixture, { name: 'Tea Cup', price: 1000, barcode: '4006381333931', taxClass: 'zero', stock: 10 })
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Register 1' }).click()
    await page.getByLabel('Scan or search').waitFor()
    await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
    for (const [code, name] of [['5000112637922', 'Green Tea'], ['4006381333931', 'Tea Cup']]) {
      await htmxIdle(page, { requests: false })
      await page.getByLabel('Scan or search').fill(code)
      await page.getByLabel('Scan or search').press('Enter')
      await page.locator('.cart-line', { hasText: name }).waitFor()
    }

    // 40% off the tea is 20% of the sale: within the limit
    await htmxIdle(page)
    await page.getByRole('button', { name: 'Discount on Green Tea' }).click()
    await page.getByLabel('Discount value for Green Tea').fill('40')
    await page.getByLabel('Discount value for Green Tea').press('Enter')
    await page.locator('.cart-line .badge', { hasText: '(40%)' }).waitFor()

    // Without the cup it would be 40%: refused, with a PIN field for the manager
    await htmxIdle(page)
    await page.getByRole('button', { name: 'Remove Tea Cup' }).click()
    const pin = page.getByLabel('PIN of a manager, to approve this change')
    await pin.waitFor()
    assert.include(await page.locator('#till-message .alert').textContent(), 'this one comes to 40%')
    assert.equal(await page.locator('.cart-line').count(), 2)
    // The PIN field keeps the focus: the scan field does not take it back after the swap
    await htmxIdle(page)
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label')), 'PIN of a manager, to approve this change')

    await pin.fill(PINS.manager)
    await pin.press('Enter')
    await page.locator('.cart-line', { hasText: 'Tea Cup' }).waitFor({ state: 'detached' })
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#till-message').textContent.trim() === '')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').firstOrFail()
    assert.deepInclude(sale, { discount_total: 400, discount_approved_bp: 4000, discount_approved_amount: 400 })
    const audit = await db.from('audit_logs').where({ subject_id: sale.id, action: 'discount_approved' }).firstOrFail()
    assert.equal(JSON.parse(audit.data).approvedBy, fixture.users.manager.id)
  })
})
