import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Register from '#models/register'
import { apiToken, cashIntoDrawer, createProduct, createStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import db from '@adonisjs/lucid/services/db'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

test.group('Back office: sales', () => {
  test('the list shows today’s completed sales by default, filtered by register, cashier, day and status', async ({ client, assert }) => {
    const fixture = await createStore()
    const register2 = await Register.query().where({ store_id: fixture.store.id, name: 'Register 2' }).firstOrFail()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const cake = await createProduct(fixture, { name: 'Carrot Cake', price: 1200 })
    const one = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    // Cash goes into a register's drawer in an open shift
    await cashIntoDrawer(fixture, 0, register2.id)
    const two = await sellFor(fixture, [{ product: cake, quantity: 1 }], register2.id, fixture.users.manager)
    // a sale from two days ago, in the store's own calendar
    const old = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    old.completedAt = DateTime.now().setZone(fixture.store.timeZone).minus({ days: 2 }).set({ hour: 12 }).toUTC()
    await old.save()

    const today = await client.get('/backoffice/sales').loginAs(fixture.users.accountant)
    today.assertStatus(200)
    const html = today.text()
    assert.include(html, `href="/backoffice/sales/${one.id}"`)
    assert.include(html, `href="/backoffice/sales/${two.id}"`)
    assert.notInclude(html, `href="/backoffice/sales/${old.id}"`)
    assert.include(html, '$9.72') // 2 x 4.50 + 8% tax
    assert.include(html, fixture.users.manager.name)

    const byRegister = await client.get(`/backoffice/sales?register_id=${register2.id}`).loginAs(fixture.users.manager)
    assert.include(byRegister.text(), `href="/backoffice/sales/${two.id}"`)
    assert.notInclude(byRegister.text(), `href="/backoffice/sales/${one.id}"`)

    const byCashier = await client.get(`/backoffice/sales?user_id=${fixture.users.cashier.id}`).loginAs(fixture.users.manager)
    assert.include(byCashier.text(), `href="/backoffice/sales/${one.id}"`)
    assert.notInclude(byCashier.text(), `href="/backoffice/sales/${two.id}"`)

    const day = DateTime.now().setZone(fixture.store.timeZone).minus({ days: 2 }).toISODate()
    const thatDay = await client.get(`/backoffice/sales?from=${day}&to=${day}`).loginAs(fixture.users.manager)
    assert.include(thatDay.text(), `href="/backoffice/sales/${old.id}"`)
    assert.notInclude(thatDay.text(), `href="/backoffice/sales/${one.id}"`)

    const voided = await client.get('/backoffice/sales?status=voided').loginAs(fixture.users.manager)
    assert.include(voided.text(), 'data-testid="no-sales"')
    assert.notInclude(voided.text(), `href="/backoffice/sales/${one.id}"`)
  })

  test('the detail page shows lines, taxes, payments, totals and the receipt', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green <b>Tea</b>', price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const page = await client.get(`/backoffice/sales/${sale.id}`).loginAs(fixture.users.accountant)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, `Sale #${sale.number}`)
    assert.include(html, 'Green &lt;b&gt;Tea&lt;/b&gt;')
    assert.notInclude(html, '<b>Tea</b>')
    assert.include(html, '$9.00') // subtotal
    assert.include(html, '$0.72') // 8% tax
    assert.include(html, 'data-testid="sale-total">$9.72')
    assert.include(html, 'Cash')
    assert.include(html, 'class="receipt"')
    assert.include(html, fixture.users.cashier.name)
    assert.include(html, 'Register 1')
    assert.match(html, /<th>Tax 8%<\/th>/)

    // A cart voided before it was paid: no receipt, no PDFs, no reprint (it read "Sale #null")
    const token = await apiToken(client, fixture.users.manager)
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 1 }] })
    await db.from('sales').where('id', open.body().id).update({ status: 'voided' })
    const cart = await client.get(`/backoffice/sales/${open.body().id}`).loginAs(fixture.users.manager)
    cart.assertStatus(200)
    assert.notInclude(cart.text(), 'Sale #null')
    assert.include(cart.text(), 'No receipt: this cart was voided before it was paid.')
    assert.notInclude(cart.text(), 'receipt.pdf')
    assert.notInclude(cart.text(), '/reprint')
  })

  test('tax is labelled as the sale had it, whatever the store says now: included in a sale made with prices that included it', async ({ client, assert }) => {
    const fixture = await createStore({ pricesIncludeTax: true })
    const tea = await createProduct(fixture, { name: 'Tea', price: 540 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    await db.from('stores').where('id', fixture.store.id).update({ prices_include_tax: false })
    const html = (await client.get(`/backoffice/sales/${sale.id}`).loginAs(fixture.users.accountant)).text()
    assert.match(html, /<th>Included tax 8%<\/th>/)
    assert.include(html, 'data-testid="sale-total">$5.40')
  })

  test('a line’s own discount is shown with its percent, its share of the cart discount apart', async ({ client, assert }) => {
    const fixture = await createStore()
    const coffee = await createProduct(fixture, { name: 'Desk Coffee', price: 1000, stock: 10 })
    const bread = await createProduct(fixture, { name: 'Desk Bread', price: 450, stock: 10 })
    const till = (method: 'post', url: string) =>
      client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
    await till('post', '/till/items').form({ product_id: coffee.id })
    await till('post', '/till/items').form({ product_id: bread.id, quantity: 2 })
    const coffeeLine = await db.from('sale_items').where('product_id', coffee.id).firstOrFail()
    await till('post', `/till/items/${coffeeLine.id}/discount`).form({ discount_type: 'percent', discount_value: '10' })
    await till('post', '/till/discount').form({ discount_type: 'amount', discount_value: '1.00' })
    ;(await till('post', '/till/payments').form({ method: 'cash', tendered: '20.00' })).assertStatus(200)

    const page = await client.get(`/backoffice/sales/${coffeeLine.sale_id}`).loginAs(fixture.users.accountant)
    page.assertStatus(200)
    const rows = [...page.text().matchAll(/<tr>\s*<td>\s*(Desk \w+)[\s\S]*?<\/tr>/g)].map((m) => [m[1], m[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')])
    assert.lengthOf(rows, 2)
    // 10% of $10.00 is $1.00 (it read −$1.50 (10%): the line's discount and its share of the cart's together)
    assert.include(rows[0][1], '−$1.00 (10%) −$0.50 of the cart discount')
    assert.include(rows[1][1], '−$0.50 of the cart discount')
    assert.notInclude(rows[1][1], '%)')
  })

  test('a sale of another store is not found', async ({ client }) => {
    const fixture = await createStore()
    const other = await createStore()
    const sale = await sellFor(other, [{ product: await createProduct(other), quantity: 1 }])
    ;(await client.get(`/backoffice/sales/${sale.id}`).loginAs(fixture.users.manager)).assertStatus(404)
  })
})

test.group('Back office: dashboard', () => {
  test('today’s completed sales count and total, and the low-stock list', async ({ client, assert }) => {
    const fixture = await createStore()
    const scarce = await createProduct(fixture, { name: 'Rare Honey', stock: 6, price: 1000 })
    await createProduct(fixture, { name: 'Plenty Rice', stock: 50 })
    const archived = await createProduct(fixture, { name: 'Gone Jam', stock: 1 })
    await archived.merge({ archivedAt: DateTime.now(), active: false }).save()
    await sellFor(fixture, [{ product: scarce, quantity: 2 }]) // 2 x 10.00 + 8% = 21.60, stock 6 -> 4
    const old = await sellFor(fixture, [{ product: await createProduct(fixture, { price: 500 }), quantity: 1 }])
    old.completedAt = DateTime.now().minus({ days: 3 })
    await old.save()

    const page = await client.get('/backoffice').loginAs(fixture.users.manager)
    page.assertStatus(200)
    const html = page.text()
    assert.match(html, /data-testid="today-count">\s*1\s*</)
    assert.match(html, /data-testid="today-total">\s*<span class="money">\$21\.60<\/span>/)
    assert.notInclude(html, 'data-testid="today-refunds"')
    assert.include(html, 'Rare Honey')
    assert.notInclude(html, 'Plenty Rice')
    assert.notInclude(html, 'Gone Jam')
    // Ten shown: a link to every one (the dashboard showed 10 of 11 and no more)
    assert.notInclude(html, 'data-testid="low-stock-all"')
    for (let i = 0; i < 10; i++) await createProduct(fixture, { name: `Scarce ${i}`, stock: 1 })
    const many = await client.get('/backoffice').loginAs(fixture.users.manager)
    assert.include(many.text(), 'data-testid="low-stock-all"')

    // A refund gives money back: the takings are less by it (they stayed at the sales' total)
    const line = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.store_id', fixture.store.id).where('sale_items.product_id', scarce.id).select('sale_items.id', 'sale_items.sale_id').firstOrFail()
    const token = await apiToken(client, fixture.users.manager)
    const refund = await client.post(`/api/sales/${line.sale_id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Cracked jar' })
    refund.assertStatus(201)
    const after = (await client.get('/backoffice').loginAs(fixture.users.manager)).text()
    assert.match(after, /data-testid="today-count">\s*1\s*</)
    assert.match(after, /data-testid="today-total">\s*<span class="money">\$10\.80<\/span>/)
    assert.include(after, 'data-testid="today-refunds">$21.60 sold, $10.80 returned')
  })
})
