import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'

test.group('Till returns in Chromium', () => {
  test('a cashier scans the receipt reference and returns one of two lines in part', async ({ visit, assert }) => {
    const fixture = await createStore()
    const cola = await createProduct(fixture, { name: 'Cola 330ml', price: 1000, stock: 10 })
    const gum = await createProduct(fixture, { name: 'Mint Gum', price: 250, stock: 10 })
    const sale = await sellFor(fixture, [
      { product: cola, quantity: 3 },
      { product: gum, quantity: 2 },
    ])

    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Register 1' }).click()
    await page.getByLabel('Scan or search').waitFor()
    await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)

    // The shortcut printed on the Returns button opens the Returns screen
    await page.keyboard.press('F1')
    const search = page.getByLabel('Receipt or sale number')
    await search.waitFor()
    await page.waitForFunction(() => (globalThis as any).htmx)
    // A keyboard-wedge scanner types the receipt's reference and Enter
    await search.fill(`S-${fixture.register.id}-${sale.number}`)
    await search.press('Enter')

    const quantity = page.getByLabel('Quantity of Cola 330ml to return')
    await quantity.waitFor()
    await quantity.fill('2')
    await page.getByLabel('Where Cola 330ml goes').selectOption('damaged')
    await page.getByLabel('Reason').fill('Dented cans')
    await page.keyboard.press('F9')

    await page.getByTestId('refund-total').waitFor()
    // 2 of 3 colas: 2/3 of the $32.40 line
    assert.equal(await page.getByTestId('refund-total').textContent(), '$21.60')
    assert.include(await page.getByRole('article', { name: 'Refund receipt' }).textContent(), '(damaged)')

    const items = await db.from('sale_items').where('sale_id', sale.id).orderBy('position').select('refunded_quantity')
    assert.deepEqual(items.map((i) => Number(i.refunded_quantity)), [2, 0])
    assert.equal(Number((await db.from('products').where('id', cola.id).first()).stock), 7, 'damaged cans stay out of stock')
  })
})
