import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { countRows, createProduct, createStore, PASSWORD, stockOf } from '#tests/fixtures'
import { htmxIdle } from '#tests/browser/htmx_idle'
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
    // The sale found, the till opens its return page (HX-Redirect): its fields are there before
    // its deferred scripts have run, and an F9 pressed then reached no key handler (seen in CI on
    // a loaded MariaDB run; reproduced by delaying app.js)
    await page.waitForLoadState('domcontentloaded')
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

  test('a scanner’s Enter in an exchange’s new product moves on; only the Exchange button sends the exchange (Enter sent a cash refund)', async ({ visit, assert }) => {
    const fixture = await createStore()
    const small = await createProduct(fixture, { name: 'Shirt S', price: 1000, stock: 5 })
    const large = await createProduct(fixture, { name: 'Shirt XL', price: 1500, barcode: '5000112637922', stock: 5 })
    const sale = await sellFor(fixture, [{ product: small, quantity: 1 }])

    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Register 1' }).click()
    await page.getByLabel('Scan or search').waitFor()
    await page.goto(`/till/returns/${sale.id}`)
    await page.waitForFunction(() => (globalThis as any).htmx)
    const posts: string[] = []
    // The page's live-updates subscription (/__transmit) posts on its own: only the till's forms count
    page.on('request', (request: any) => request.method() === 'POST' && !request.url().includes('/__transmit') && posts.push(new URL(request.url()).pathname))

    await page.getByLabel('Quantity of Shirt S to return').fill('1')
    await page.getByLabel('Reason').fill('Too small')
    await page.getByText('Exchange: the customer takes other products instead').click()
    // A keyboard-wedge scanner types the barcode and Enter
    const code = page.getByLabel('New product 1 (barcode or SKU)')
    await code.fill('5000112637922')
    await code.press('Enter')
    await page.waitForTimeout(300)
    await htmxIdle(page)
    assert.deepEqual(posts, [], 'the Enter sent nothing')
    assert.equal(await countRows('refunds', { sale_id: sale.id }), 0, 'no refund was written')
    // It is taken as "this product is entered": the next product's field has the focus
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'ex-code-1')
    assert.equal(await page.getByLabel('Quantity of new product 1').inputValue(), '1')

    await page.getByLabel('The customer pays a difference by').selectOption('cash')
    await page.getByLabel('Cash tendered (optional)').fill('10.00')
    await page.getByRole('button', { name: 'Exchange', exact: true }).click()
    await page.getByTestId('exchange-pays').waitFor()
    // 16.20 - 10.80 = 5.40 paid in cash
    assert.equal(await page.getByTestId('exchange-pays').textContent(), '$5.40')
    assert.deepEqual(posts, [`/till/returns/${sale.id}/exchange`])

    const refunds = await db.from('refunds').where('sale_id', sale.id).select('kind', 'exchange_sale_id')
    assert.lengthOf(refunds, 1)
    assert.equal(refunds[0].kind, 'exchange')
    const newSale = await db.from('sales').where('id', refunds[0].exchange_sale_id).first()
    assert.equal(newSale.status, 'completed')
    const lines = await db.from('sale_items').where('sale_id', newSale.id).select('product_id')
    assert.deepEqual(lines.map((l) => Number(l.product_id)), [large.id])
    assert.equal(await stockOf(large.id), 4)
    assert.equal(await stockOf(small.id), 5)
  })

  test('F9 does what the part in focus shows: in the exchange it sends the exchange (it sent the Refund), elsewhere the Refund', async ({ visit, assert }) => {
    const fixture = await createStore()
    const small = await createProduct(fixture, { name: 'Shirt S', price: 1000, stock: 5 })
    const large = await createProduct(fixture, { name: 'Shirt XL', price: 1500, barcode: '5000112637922', stock: 5 })
    const first = await sellFor(fixture, [{ product: small, quantity: 1 }])
    const second = await sellFor(fixture, [{ product: small, quantity: 1 }])

    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Register 1' }).click()
    await page.getByLabel('Scan or search').waitFor()
    // Only the Returns screen's posts count (the till's offline lease and live updates post on their own)
    const posts: string[] = []
    page.on('request', (request: any) => request.method() === 'POST' && new URL(request.url()).pathname.startsWith('/till/returns') && posts.push(new URL(request.url()).pathname))
    const openExchange = async (saleId: number) => {
      await page.goto(`/till/returns/${saleId}`)
      await page.waitForFunction(() => (globalThis as any).htmx)
      await page.getByLabel('Quantity of Shirt S to return').fill('1')
      await page.getByLabel('Reason').fill('Too small')
      await page.getByText('Exchange: the customer takes other products instead').click()
      await page.getByLabel('New product 1 (barcode or SKU)').fill('5000112637922')
      await page.getByLabel('The customer pays a difference by').selectOption('cash')
    }

    // The focus in the exchange's tendered cash: F9 sends the exchange
    await openExchange(first.id)
    const tendered = page.getByLabel('Cash tendered (optional)')
    await tendered.fill('10.00')
    await tendered.focus()
    await page.keyboard.press('F9')
    await page.getByTestId('exchange-pays').waitFor()
    assert.equal(await page.getByTestId('exchange-pays').textContent(), '$5.40')
    assert.deepEqual(posts, [`/till/returns/${first.id}/exchange`])
    assert.deepEqual((await db.from('refunds').where('sale_id', first.id).select('kind')).map((r) => r.kind), ['exchange'])
    assert.equal(await stockOf(large.id), 4)

    // The exchange open, the focus in the Refund's own fields: F9 refunds
    posts.length = 0
    await openExchange(second.id)
    await page.getByLabel('Reason').focus()
    await page.keyboard.press('F9')
    await page.getByTestId('refund-total').waitFor()
    assert.deepEqual(posts, [`/till/returns/${second.id}`])
    assert.deepEqual((await db.from('refunds').where('sale_id', second.id).select('kind')).map((r) => r.kind), ['refund'])
    assert.equal(await stockOf(large.id), 4)
  })
})
