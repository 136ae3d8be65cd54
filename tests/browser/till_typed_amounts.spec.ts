import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { htmxIdle } from '#tests/browser/htmx_idle'
import { signInAtTill } from '#tests/browser/till_page'

/*
| A cashier in a store in euros types amounts with a decimal comma. The change due shown as the
| amount tendered is typed comes from the server's own parser (parseMoney, app/core/money.ts,
| reached through the till's bundle): "20,00" showed no change ("—") while the server, once it
| took the comma, would give €7.50 back.
*/

test.group('Till in Chromium: amounts typed with a decimal comma', () => {
  test('"1,5" % off a line, then "20,00" tendered shows and gives the change; "20,0,0" shows none', async ({ visit, assert }) => {
    const fixture = await createStore()
    await fixture.store.merge({ currency: 'EUR' }).save()
    await createProduct(fixture, { name: 'Linen Towel', price: 1250, taxClass: 'zero', barcode: '96385074', stock: 10 })
    const page = await signInAtTill(visit, fixture.users.cashier.email)

    await htmxIdle(page, { requests: false })
    await page.getByLabel('Scan or search').fill('96385074')
    await page.getByLabel('Scan or search').press('Enter')
    await page.locator('.cart-line', { hasText: 'Linen Towel' }).waitFor()
    // 1.5 % of €12.50 is €0.1875: €0.19 off, €12.31 to pay
    await page.getByRole('button', { name: 'Discount on Linen Towel' }).click()
    await page.getByLabel('Discount value for Linen Towel').fill('1,5')
    await page.getByRole('button', { name: 'Apply' }).first().click()
    await page.locator('[data-testid="discounts"]', { hasText: '€0.19' }).waitFor()

    await htmxIdle(page, { requests: false })
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    const tendered = page.getByLabel('Amount tendered')
    await tendered.waitFor({ state: 'visible' })
    await tendered.fill('20,00')
    await page.locator('[data-testid="change-preview"]', { hasText: '€7.69' }).waitFor()
    // What the server refuses shows no change, and no "part payment" promised
    await tendered.fill('20,0,0')
    await page.locator('[data-testid="change-preview"]', { hasText: '—' }).waitFor()
    assert.isFalse(await page.getByText('(less than due: taken as part payment)').isVisible())
    await tendered.fill('5,5')
    await page.getByText('(less than due: taken as part payment)').waitFor({ state: 'visible' })
    await tendered.fill('1.234,50')
    await page.locator('[data-testid="change-preview"]', { hasText: '€1,222.19' }).waitFor()

    await tendered.fill('20,00')
    await page.locator('[data-testid="change-preview"]', { hasText: '€7.69' }).waitFor()
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByTestId('change-due').waitFor()
    assert.equal(await page.getByTestId('change-due').textContent(), '€7.69')
    const sale = await db.from('sales').where({ store_id: fixture.store.id, status: 'completed' }).firstOrFail()
    const payment = await db.from('payments').where('sale_id', sale.id).firstOrFail()
    assert.deepEqual([Number(sale.total), Number(payment.tendered), Number(payment.change)], [1231, 2000, 769])
  })
})

test.group('Till in Chromium: cash rounded to the smallest coin', () => {
  test('9.69 tendered of 9.68 (coins of 5, 9.70 due in cash) says 9.70 is due, not a part payment, and is refused; 10.00 gives 0.30 back', async ({ visit, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    await createProduct(fixture, { name: 'Honey Jar', price: 968, barcode: '96385074', stock: 10 })
    const page = await signInAtTill(visit, fixture.users.cashier.email)
    await htmxIdle(page, { requests: false })
    await page.getByLabel('Scan or search').fill('96385074')
    await page.getByLabel('Scan or search').press('Enter')
    await page.locator('.cart-line', { hasText: 'Honey Jar' }).waitFor()

    await htmxIdle(page, { requests: false })
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    const tendered = page.getByLabel('Amount tendered')
    await tendered.waitFor({ state: 'visible' })
    await tendered.fill('9.69')
    await page.getByText('(in cash $9.70 is due: rounded to the smallest coin)').waitFor({ state: 'visible' })
    assert.isFalse(await page.getByText('(less than due: taken as part payment)').isVisible())
    await tendered.fill('9.65')
    await page.getByText('(less than due: taken as part payment)').waitFor({ state: 'visible' })
    assert.isFalse(await page.getByText('(in cash $9.70 is due: rounded to the smallest coin)').isVisible())

    await tendered.fill('9.69')
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByText('In cash $9.70 is due ($9.68 rounded to the smallest coin)').waitFor()
    await htmxIdle(page, { requests: false })
    await tendered.fill('10.00')
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByTestId('change-due').waitFor()
    assert.equal(await page.getByTestId('change-due').textContent(), '$0.30')
  })
})
