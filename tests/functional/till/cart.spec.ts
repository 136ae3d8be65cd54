import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/** A till request as htmx sends it: signed in, with CSRF token and this device's register */
function till(client: any, fixture: TestStore, method: 'get' | 'post' | 'patch' | 'delete', url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url)
    .loginAs(fixture.users[role])
    .withCsrfToken()
    .withCookie(REGISTER_COOKIE, String(fixture.register.id))
    .header('HX-Request', 'true')
}

async function cartLines(fixture: TestStore) {
  return db
    .from('sale_items')
    .join('sales', 'sales.id', 'sale_items.sale_id')
    .where({ 'sales.register_id': fixture.register.id, 'sales.status': 'open' })
    .select('sale_items.product_id', 'sale_items.quantity', 'sale_items.unit_price')
}

test.group('Till cart over htmx', () => {
  test('a scanned barcode adds the product, a second scan adds one more', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Oat Milk', price: 299 })
    const barcode = (await db.from('product_barcodes').where('product_id', product.id).first()).code

    const first = await till(client, fixture, 'post', '/till/scan').form({ code: barcode })
    first.assertStatus(200)
    assert.include(first.text(), 'Oat Milk')
    assert.include(first.text(), 'id="cart-panel"')
    await till(client, fixture, 'post', '/till/scan').form({ code: barcode })
    assert.deepEqual(await cartLines(fixture), [{ product_id: product.id, quantity: 2, unit_price: 299 }])
  })

  test('a scan posted without htmx (scripts still loading) is added and the till shown again', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Early Scan' })
    const barcode = (await db.from('product_barcodes').where('product_id', product.id).first()).code
    const response = await client
      .post('/till/scan')
      .loginAs(fixture.users.cashier)
      .withCsrfToken()
      .withCookie(REGISTER_COOKIE, String(fixture.register.id))
      .form({ code: barcode })
      .redirects(0)
    response.assertHeader('location', '/till')
    assert.lengthOf(await cartLines(fixture), 1)
  })

  test('typed text shows matches; nothing matching says so', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Dark Chocolate Bar' })
    const matches = await till(client, fixture, 'post', '/till/scan').form({ code: 'choc' })
    matches.assertHeader('hx-retarget', '#matches')
    assert.include(matches.text(), 'Dark Chocolate Bar')
    // As it is typed: the scan field (named code) asks GET /till/search
    const typed = await till(client, fixture, 'get', '/till/search').qs({ code: 'choc' })
    typed.assertStatus(200)
    assert.include(typed.text(), 'Dark Chocolate Bar')
    const none = await till(client, fixture, 'post', '/till/scan').form({ code: 'zzzz-nothing' })
    assert.include(none.text(), 'Nothing matches')
    // The start of a SKU, whatever its case, finds it (only a whole SKU did); a % typed is no wildcard
    await createProduct(fixture, { name: 'Plain Bagel', sku: `TST-${fixture.tag}-01` })
    const bySku = await till(client, fixture, 'get', '/till/search').qs({ code: `tst-${fixture.tag}` })
    assert.include(bySku.text(), 'Plain Bagel')
    const wildcard = await till(client, fixture, 'get', '/till/search').qs({ code: 'T%' })
    assert.notInclude(wildcard.text(), 'Plain Bagel')
    assert.lengthOf(await cartLines(fixture), 0)
  })

  test('a search of symbols or a formula (=1+1) lists no unrelated products; an operator typed must be in the name', async ({ client, assert }) => {
    const fixture = await createStore()
    for (const name of ['Salted Butter 1 lb', 'Spaghetti 1 lb', 'Cola 12 oz Can', 'Kids Puzzle 3+', 'Socks 1+1 Bundle', 'Coca-Cola 2 L']) await createProduct(fixture, { name })
    const found = async (code: string) => {
      const response = await till(client, fixture, 'get', '/till/search').qs({ code })
      response.assertStatus(200)
      return [...response.text().matchAll(/aria-label="Add ([^"]+)"/g)].map((match) => match[1]).sort()
    }
    // The symbols were dropped as word separators: "=1+1" searched the word "1", every size
    // starting with a 1 (12 oz, 1 lb); "==" searched no word, every product of the store
    assert.deepEqual(await found('=1+1'), [])
    assert.deepEqual(await found('=='), [])
    assert.deepEqual(await found('+*/'), [])
    assert.deepEqual(await found('1+1'), ['Socks 1+1 Bundle'])
    assert.deepEqual(await found('3+'), ['Kids Puzzle 3+'])
    // Word separators of names stay separators
    assert.deepEqual(await found('coca-cola'), ['Coca-Cola 2 L'])
    assert.deepEqual(await found('1 lb'), ['Salted Butter 1 lb', 'Spaghetti 1 lb'])
    const none = await till(client, fixture, 'post', '/till/scan').form({ code: '=1+1' })
    assert.include(none.text(), 'Nothing matches')
  })

  test('overselling is refused in the message area unless the store allows negative stock', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Last Loaf', stock: 1 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const refused = await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    refused.assertStatus(409)
    refused.assertHeader('hx-retarget', '#till-message')
    assert.include(refused.text(), 'Not enough stock of &quot;Last Loaf&quot;')
    assert.deepEqual((await cartLines(fixture)).map((l) => l.quantity), [1])

    const lenient = await createStore({ allowNegativeStock: true })
    const other = await createProduct(lenient, { stock: 0 })
    const allowed = await till(client, lenient, 'post', '/till/items').form({ product_id: other.id })
    allowed.assertStatus(200)
  })

  test('product names are escaped in the cart', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: '<script>alert(1)</script> Soap' })
    const response = await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    assert.notInclude(response.text(), '<script>alert(1)</script>')
    assert.include(response.text(), '&lt;script&gt;alert(1)&lt;/script&gt; Soap')
  })

  test('a line\u2019s discount and price forms come when opened: escaped, a PIN field for a cashier only, and only for a line of this register\u2019s open cart', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Tea "Earl" <Grey>', price: 450 })
    const cart = await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const line = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.register_id', fixture.register.id).select('sale_items.id').first()
    // The cart partial, sent with every scan, carries the buttons that fetch the forms, not the forms
    assert.include(cart.text(), `hx-get="/till/items/${line.id}/discount"`)
    assert.include(cart.text(), `hx-get="/till/items/${line.id}/price"`)
    assert.notInclude(cart.text(), 'Discount value for')
    assert.notInclude(cart.text(), 'New price for')

    const discount = await till(client, fixture, 'get', `/till/items/${line.id}/discount`)
    discount.assertStatus(200)
    assert.include(discount.text(), `hx-post="/till/items/${line.id}/discount"`)
    assert.include(discount.text(), 'name="discount_value"')
    assert.include(discount.text(), 'Discount value for Tea &quot;Earl&quot; &lt;Grey&gt;')
    assert.notInclude(discount.text(), '<Grey>')

    const cashierPrice = await till(client, fixture, 'get', `/till/items/${line.id}/price`)
    assert.include(cashierPrice.text(), `hx-post="/till/items/${line.id}/price"`)
    assert.include(cashierPrice.text(), 'value="4.50"')
    assert.include(cashierPrice.text(), 'name="pin"')
    const managerPrice = await till(client, fixture, 'get', `/till/items/${line.id}/price`, 'manager')
    assert.include(managerPrice.text(), 'name="price"')
    assert.notInclude(managerPrice.text(), 'name="pin"')

    // Another store's line, an id that is no number, and a line of a sale no longer open: 404
    const other = await createStore()
    await till(client, other, 'post', '/till/items').form({ product_id: (await createProduct(other, {})).id })
    const otherLine = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.register_id', other.register.id).select('sale_items.id').first()
    ;(await till(client, fixture, 'get', `/till/items/${otherLine.id}/discount`)).assertStatus(404)
    ;(await till(client, fixture, 'get', '/till/items/abc/price')).assertStatus(404)
    await till(client, fixture, 'post', '/till/void').form({})
    ;(await till(client, fixture, 'get', `/till/items/${line.id}/discount`)).assertStatus(404)
  })

  test('quantity, line discount, cart discount and removal reprice the cart', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const line = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.register_id', fixture.register.id).select('sale_items.id', 'sales.id as sale_id').first()

    await till(client, fixture, 'patch', `/till/items/${line.id}`).form({ quantity: 3 })
    await till(client, fixture, 'post', `/till/items/${line.id}/discount`).form({ discount_type: 'percent', discount_value: '10' })
    await till(client, fixture, 'post', '/till/discount').form({ discount_type: 'amount', discount_value: '2.00' })
    const sale = await db.from('sales').where('id', line.sale_id).first()
    // 3 x 10.00 = 30.00; -10% = 27.00; -2.00 = 25.00; tax 8% = 2.00
    assert.equal(sale.subtotal, 3000)
    assert.equal(sale.discount_total, 500)
    assert.equal(sale.tax_total, 200)
    assert.equal(sale.total, 2700)

    const bad = await till(client, fixture, 'patch', `/till/items/${line.id}`).form({ quantity: '2.5' })
    bad.assertStatus(422)
    // An amount that is no amount of the currency is the cashier's typo, not a missing thing (was a
    // 404); it and text that is no number say how to write one (was "The discount_value field format is invalid")
    for (const [url, value, message] of [
      [`/till/items/${line.id}/discount`, '0.001', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
      ['/till/discount', '1.005', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
      ['/till/discount', 'abc', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
      ['/till/discount', '-5', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
    ]) {
      const typo = await till(client, fixture, 'post', url).form({ discount_type: 'amount', discount_value: value })
      typo.assertStatus(422)
      assert.include(typo.text(), message)
    }
    assert.equal((await db.from('sales').where('id', line.sale_id).first()).discount_total, 500)
    await till(client, fixture, 'delete', `/till/items/${line.id}`)
    assert.lengthOf(await cartLines(fixture), 0)
  })

  test('the lines are stored as the cart shows them: a cart discount shared across them, taxes per line', async ({ client, assert }) => {
    const fixture = await createStore()
    const coffee = await createProduct(fixture, { name: 'Coffee', price: 1000 })
    const bread = await createProduct(fixture, { name: 'Bread', price: 500 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: coffee.id })
    await till(client, fixture, 'post', '/till/items').form({ product_id: bread.id, quantity: 2 })
    const lines = () =>
      db
        .from('sale_items')
        .join('sales', 'sales.id', 'sale_items.sale_id')
        .where({ 'sales.register_id': fixture.register.id, 'sales.status': 'open' })
        .orderBy('sale_items.position')
        .select('sale_items.*')
    const [coffeeLine, breadLine] = await lines()
    assert.deepInclude(coffeeLine, { product_id: coffee.id, name: 'Coffee', quantity: 1, list_price: 1000, unit_price: 1000, subtotal: 1000, tax_total: 80, total: 1080, position: 1 })
    assert.deepInclude(breadLine, { product_id: bread.id, name: 'Bread', quantity: 2, subtotal: 1000, tax_total: 80, total: 1080, position: 2 })
    const taxes = (line: any) => (typeof line.taxes === 'string' ? JSON.parse(line.taxes) : line.taxes)
    assert.equal(taxes(coffeeLine)[0].amount, 80)

    // 3.00 off the sale of 20.00: 1.50 from each line, then 8% tax on 8.50 each
    await till(client, fixture, 'post', '/till/discount').form({ discount_type: 'amount', discount_value: '3.00' })
    const discounted = await lines()
    assert.deepEqual(
      discounted.map((line) => [line.cart_discount_share, line.tax_total, line.total]),
      [
        [150, 68, 918],
        [150, 68, 918],
      ]
    )
    assert.equal(taxes(discounted[1])[0].amount, 68)
    const sale = await db.from('sales').where('id', coffeeLine.sale_id).firstOrFail()
    assert.equal(sale.total, 1836)

    // Removing the discount writes the shares back to zero
    await till(client, fixture, 'post', '/till/discount').form({ discount_type: 'none', discount_value: '' })
    assert.deepEqual(
      (await lines()).map((line) => [line.cart_discount_share, line.total]),
      [
        [0, 1080],
        [0, 1080],
      ]
    )
  })

  test('a line shows the receipt\u2019s amount: quantity × price, before discounts and tax, adding up to the Subtotal', async ({ client, assert }) => {
    // Tax is added at the end in this store (8%): a line showing its total with tax (as it did)
    // read $10.80 on the till and $10.00 on the receipt
    const fixture = await createStore({ pricesIncludeTax: false })
    const coffee = await createProduct(fixture, { name: 'Line Coffee', price: 1000, stock: 10 })
    const bread = await createProduct(fixture, { name: 'Line Bread', price: 450, stock: 10 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: coffee.id })
    await till(client, fixture, 'post', '/till/items').form({ product_id: bread.id, quantity: 2 })
    const coffeeLine = await db.from('sale_items').where('product_id', coffee.id).firstOrFail()
    await till(client, fixture, 'post', `/till/items/${coffeeLine.id}/discount`).form({ discount_type: 'percent', discount_value: '10' })
    const panel = (await till(client, fixture, 'post', '/till/discount').form({ discount_type: 'amount', discount_value: '1.00' })).text()

    const shownLines = [...panel.matchAll(/<li id="cart-line-\d+"[^>]*>\s*<span class="name">([^<]*)<\/span>\s*<span class="money">([^<]*)<\/span>/g)].map((m) => [m[1], m[2]])
    assert.deepEqual(shownLines, [
      ['Line Coffee', '$10.00'],
      ['Line Bread', '$9.00'],
    ])
    assert.match(panel, /<span class="badge">−\$1\.00 \(10%\)<\/span>/, 'the line discount beside its line')
    assert.include(panel, 'data-testid="subtotal">$19.00')
    // 19.00 − 1.00 − 1.00 = 17.00, and 8% tax on it
    assert.include(panel, 'data-testid="discounts">−$2.00')
    assert.include(panel, 'data-testid="tax">$1.36')
    assert.include(panel, 'data-testid="total">$18.36')

    const done = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '20.00' })
    done.assertStatus(200)
    const receiptLines = [...done.text().matchAll(/<span>(\d+) × ([^<]*)<\/span><span class="money">([^<]*)<\/span>/g)].map((m) => [m[2], m[3]])
    assert.deepEqual(receiptLines, [
      ['Line Coffee', '$10.00'],
      ['Line Bread', '$9.00'],
    ])
  })

  test('a cart of free items is paid with nothing: the sale completes (it could only be voided)', async ({ client, assert }) => {
    const fixture = await createStore()
    const gift = await createProduct(fixture, { name: 'Free Sample', price: 0 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: gift.id })
    // The Exact button fills in the amount due: 0.00
    const done = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '0.00' })
    done.assertStatus(200)
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).firstOrFail()
    assert.equal(sale.total, 0)
    assert.deepEqual(await db.from('payments').where('sale_id', sale.id).select('method', 'amount'), [{ method: 'cash', amount: 0 }])
  })

  test('park a sale, find it in the list and resume it', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Coffee Beans' })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const parked = await till(client, fixture, 'post', '/till/park').header('HX-Prompt', 'Mrs Smith').form({ note: 'Mrs Smith' })
    assert.include(parked.text(), 'Sale parked')
    assert.lengthOf(await cartLines(fixture), 0)

    const list = await till(client, fixture, 'get', '/till/parked')
    assert.include(list.text(), 'Mrs Smith')
    const sale = await db.from('sales').where({ store_id: fixture.store.id, status: 'parked' }).firstOrFail()
    const resumed = await till(client, fixture, 'post', `/till/parked/${sale.id}/resume`)
    assert.include(resumed.text(), 'Coffee Beans')
    assert.lengthOf(await cartLines(fixture), 1)
  })

  test('split tender: card for part, cash for the rest completes the sale with change', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 2500, stock: 5 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    // total 27.00 with 8% tax
    const partial = await till(client, fixture, 'post', '/till/payments').form({ method: 'card_external', amount: '20.00', reference: 'A1B2' })
    assert.include(partial.text(), 'data-testid="due"')
    const done = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '10.00' })
    done.assertStatus(200)
    assert.include(done.text(), 'completed')
    assert.include(done.text(), '$3.00')

    const sale = await db.from('sales').where({ store_id: fixture.store.id, status: 'completed' }).firstOrFail()
    assert.equal(sale.number, 1)
    assert.equal(sale.change_due, 300)
    const payments = await db.from('payments').where('sale_id', sale.id).orderBy('id')
    assert.deepEqual(payments.map((p) => [p.method, p.amount]), [['card_external', 2000], ['cash', 700]])
    const stock = await db.from('products').where('id', product.id).first()
    const ledger = await db.from('stock_movements').where('product_id', product.id).sum('quantity as total').first()
    assert.equal(stock.stock, 4)
    assert.equal(Number(ledger.total), 4)
  })

  test('an unknown payment method and a missing tendered amount are refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const unknown = await till(client, fixture, 'post', '/till/payments').form({ method: 'bitcoin', amount: '1.00' })
    unknown.assertStatus(422)
    assert.include(unknown.text(), 'Unknown payment method')
    const missing = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash' })
    missing.assertStatus(422)
    assert.equal(await db.from('payments').where('store_id', fixture.store.id).count('* as n').first().then((r) => Number(r.n)), 0)
  })

  test('voiding the cart keeps it as a voided sale and audits it', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const response = await till(client, fixture, 'post', '/till/void')
    assert.include(response.text(), 'voided')
    assert.exists(await db.from('sales').where({ store_id: fixture.store.id, status: 'voided' }).first())
    assert.exists(await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'cart_voided' }).first())

    // Void on the empty cart after it writes nothing (each press left a voided, empty sale)
    for (let press = 0; press < 3; press++) {
      const again = await till(client, fixture, 'post', '/till/void')
      again.assertStatus(200)
      assert.include(again.text(), 'nothing to void')
    }
    assert.lengthOf(await db.from('sales').where({ store_id: fixture.store.id, status: 'voided' }), 1)
    assert.lengthOf(await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'cart_voided' }), 1)
  })

  test('switching user needs that user\u2019s PIN; the cart stays on the register', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const wrong = await till(client, fixture, 'post', '/till/switch').form({ user_id: fixture.users.manager.id, pin: '1111' })
    wrong.assertStatus(422)
    const right = await till(client, fixture, 'post', '/till/switch').form({ user_id: fixture.users.manager.id, pin: '2222' })
    right.assertHeader('hx-redirect', '/till')
    const page = await client.get('/till').loginAs(fixture.users.manager).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.lengthOf(await cartLines(fixture), 1)
    page.assertStatus(200)
  })

  test('wrong PINs for one person count apart from anyone else\u2019s right PIN: four guesses at the manager, the cashier\u2019s own PIN, then the sixth try is refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const { manager, cashier } = fixture.users
    const switchTo = (userId: number, pin: string) => till(client, fixture, 'post', '/till/switch').form({ user_id: userId, pin })
    for (const guess of ['1000', '1001', '1002', '1003']) (await switchTo(manager.id, guess)).assertStatus(422)
    // Before, the cashier's right PIN cleared the till's one count, and the guessing went on
    ;(await switchTo(cashier.id, '1111')).assertHeader('hx-redirect', '/till')
    ;(await switchTo(manager.id, '1004')).assertStatus(422)
    const blocked = await switchTo(manager.id, '2222')
    blocked.assertStatus(429)
    // Said at the till with the wait, and Retry-After for a client ("Too many requests" said neither)
    assert.match(blocked.text(), /Too many wrong PINs: try again in \d+ (minute|second)/)
    assert.isAbove(Number(blocked.header('retry-after')), 0)
    assert.notExists(await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'till_user_switched', user_id: manager.id }).first())
    // The cashier's own entry and a manager's approval count apart, and are open
    ;(await switchTo(cashier.id, '1111')).assertHeader('hx-redirect', '/till')
    assert.lengthOf(await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'pin_failed' }), 5)
  })

  test('roles: an accountant may not use the till; a guest is sent to sign in', async ({ client }) => {
    const fixture = await createStore()
    const accountant = await client.get('/till').loginAs(fixture.users.accountant)
    accountant.assertStatus(403)
    const guest = await client.get('/till').redirects(0)
    guest.assertHeader('location', '/login')
  })

  test('a till post without the CSRF token is refused with a message', async ({ client, assert }) => {
    const fixture = await createStore()
    const response = await client.post('/till/scan').loginAs(fixture.users.cashier).header('HX-Request', 'true').form({ code: '123' })
    response.assertStatus(419)
    assert.include(response.text(), 'session expired')
  })
})
