import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Register from '#models/register'
import { countRows, createProduct, createStore } from '#tests/fixtures'
import { apiAs, sell } from '#tests/functional/shifts/helpers'
import { pdfText } from '#tests/pdf_text'

test.group('Shifts: from open to Z report', () => {
  test('prices that include tax and cash rounding: the X report says the tax is included and shows the rounding, so its lines add up', async ({ client, assert }) => {
    const fixture = await createStore({ pricesIncludeTax: true, cashRounding: 5 })
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 999 })
    const api = await apiAs(client, fixture.users.cashier)
    ;(await sell(api, fixture.register.id, [{ product_id: tea.id, quantity: 1 }], 'cash', 1000)).assertStatus(201)
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()
    const html = (await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.manager)).text()
    assert.match(html, /<th>Included tax<\/th><td class="num" data-testid="tax-total">\$0\.74</)
    // The reports' Total is what was taken (10.00): the Z's total says it is before the rounding
    assert.include(html, '<th>Total sales, before the cash rounding</th><td class="num" data-testid="sales-total"><b>$9.99</b>')
    assert.include(html, 'data-testid="sales-rounding">+$0.01')
    assert.include(html, '>$10.00</td></tr>')
  })

  test('float, cash sales with change, a card sale, cash in and out, a count short by 7 cents', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const registerId = fixture.register.id
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 }) // 8% tax
    const cake = await createProduct(fixture, { name: 'Carrot Cake', price: 1200, taxClass: 'reduced' }) // 2% tax
    const api = await apiAs(client, fixture.users.cashier)

    const none = await api.get(`/api/shifts/current?register_id=${registerId}`)
    none.assertStatus(200)
    assert.isNull(none.body().data)

    // $112.00 float counted note by note: 5 x $20, 10 x $1, 8 x 25¢
    const opened = await api.post('/api/shifts', { register_id: registerId, float_counts: { '2000': 5, '100': 10, '25': 8 } })
    opened.assertStatus(201)
    const shiftId = opened.body().id
    assert.equal(opened.body().opening_float, 11200)
    // The answer to the opening has the shape of the current shift's (closed_by and counted_cash were left out)
    const current = await api.get(`/api/shifts/current?register_id=${registerId}`)
    assert.equal(current.body().data.id, shiftId)
    assert.deepEqual(opened.body(), current.body().data)

    ;(await sell(api, registerId, [{ product_id: tea.id, quantity: 2 }], 'cash', 2000)).assertStatus(201) // 9.72, change 10.28
    ;(await sell(api, registerId, [{ product_id: cake.id, quantity: 1 }], 'card_external')).assertStatus(201) // 12.24
    ;(await sell(api, registerId, [{ product_id: tea.id, quantity: 1, discount: 50 }], 'cash', 500)).assertStatus(201) // 4.32, change 0.68
    ;(await api.post(`/api/shifts/${shiftId}/cash-movements`, { kind: 'cash_in', amount: 5000, reason: 'Change from the bank' })).assertStatus(201)
    ;(await api.post(`/api/shifts/${shiftId}/cash-movements`, { kind: 'cash_out', amount: 1250, reason: 'Window cleaner' })).assertStatus(201)
    ;(await api.post(`/api/shifts/${shiftId}/cash-movements`, { kind: 'no_sale' })).assertStatus(201)

    // 112.00 + 20.00 + 5.00 - 10.28 - 0.68 + 50.00 - 12.50 = 163.54
    const x = await api.get(`/api/shifts/${shiftId}/report`)
    x.assertStatus(200)
    assert.equal(x.body().kind, 'x')
    assert.equal(x.body().cash.expected, 16354)
    assert.deepEqual(x.body().cash, { float: 11200, taken: 2500, change: 1096, refunds: 0, cashIn: 5000, cashOut: 1250, expected: 16354 })

    // Counted $163.47: 8 x $20, 3 x $1, 1 x 25¢, 2 x 10¢, 2 x 1¢
    const closed = await api.post(`/api/shifts/${shiftId}/close`, { counts: { '2000': 8, '100': 3, '25': 1, '10': 2, '1': 2 } })
    closed.assertStatus(200)
    const z = closed.body().report
    assert.equal(z.kind, 'z')
    assert.equal(z.number, 1)
    assert.equal(z.counted, 16347)
    assert.equal(z.difference, -7)
    assert.deepEqual(z.sales, { count: 3, subtotal: 2550, discounts: 50, tax: 128, total: 2628, rounding: 0, items: 4 })
    assert.deepEqual(
      z.byMethod.map((m: any) => [m.method, m.count, m.amount]),
      [['card_external', 1, 1224], ['cash', 2, 1404]]
    )
    assert.deepEqual(z.taxByRate, [
      { ratePpm: 80000, net: 1300, tax: 104, gross: 1404 },
      { ratePpm: 20000, net: 1200, tax: 24, gross: 1224 },
    ])
    assert.deepEqual([z.cashIn, z.cashOut, z.noSales], [{ count: 1, total: 5000 }, { count: 1, total: 1250 }, 1])
    assert.equal(closed.body().shift.status, 'closed')

    // Every sale of the shift carries its id; after the close, cash goes into no drawer (409) and a
    // card sale carries no shift
    assert.equal(await countRows('sales', { shift_id: shiftId, status: 'completed' }), 3)
    const inCash = await sell(api, registerId, [{ product_id: tea.id, quantity: 1 }], 'cash', 1000)
    inCash.assertStatus(409)
    assert.equal(inCash.body().errors[0].code, 'no_open_shift')
    const after = await sell(api, registerId, [{ product_id: tea.id, quantity: 1 }], 'card_external')
    after.assertStatus(201)
    assert.isNull((await db.from('sales').where('id', after.body().id).first()).shift_id)

    // The Z is stored once and read back as written
    const stored = await db.from('z_reports').where('shift_id', shiftId).first()
    assert.include(stored, { number: 1, sales_count: 3, sales_total: 2628, expected_cash: 16354, counted_cash: 16347, difference: -7 })
    const again = await api.get(`/api/shifts/${shiftId}/report`)
    assert.deepEqual(again.body(), z)

    // The back office page and the PDF show the same figures
    const page = await client.get(`/backoffice/shifts/${shiftId}`).loginAs(fixture.users.manager)
    if (page.status() !== 200) console.log(page.text().slice(0, 3000))
    page.assertStatus(200)
    assert.include(page.text(), 'Z report #1')
    // The word says the sign: "Short $0.07" (it read "Short -$0.07")
    assert.match(page.text(), /<th>Short<\/th><td class="num" data-testid="difference"><b>\$0\.07</)
    assert.include(page.text(), 'data-testid="expected-cash"><b>$163.54')
    const list = await client.get('/backoffice/shifts').loginAs(fixture.users.accountant)
    list.assertStatus(200)
    assert.include(list.text(), `href="/backoffice/shifts/${shiftId}"`)
    assert.include(list.text(), '−$0.07')

    const pdf = await client.get(`/backoffice/shifts/${shiftId}/z.pdf`).loginAs(fixture.users.accountant)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    const body: Buffer = Buffer.isBuffer(pdf.body()) ? pdf.body() : Buffer.from(pdf.text(), 'binary')
    const text = await pdfText(body)
    assert.include(text, 'Z report #1')
    assert.include(text, '$163.54') // expected
    assert.include(text, '$163.47') // counted
    assert.match(text, /Short\s*\$0\.07/)
    assert.include(text, '$26.28') // total sales
    assert.include(text, '$112.00') // float
  })

  test('a cash refund during the shift leaves the drawer: the X and the Z count it', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const registerId = fixture.register.id
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 }) // 8% tax: 4.86
    const api = await apiAs(client, fixture.users.cashier)
    const shiftId = (await api.post('/api/shifts', { register_id: registerId, float: 5000 })).body().id
    const sale = await sell(api, registerId, [{ product_id: tea.id, quantity: 2 }], 'cash', 1000) // 9.72
    sale.assertStatus(201)
    const itemId = sale.body().items[0].id
    const refund = await api
      .post(`/api/sales/${sale.body().id}/refunds`, { items: [{ sale_item_id: itemId, quantity: 1, restock: true }], reason: 'Changed their mind' })
      .header('idempotency-key', `shift-refund-${shiftId}`)
    refund.assertStatus(201)

    // 50.00 + 9.72 taken - 4.86 given back = 54.86
    const x = (await api.get(`/api/shifts/${shiftId}/report`)).body()
    assert.deepEqual(x.refunds, { count: 1, total: 486, cash: 486 })
    assert.equal(x.cash.expected, 5486)
    const closed = await api.post(`/api/shifts/${shiftId}/close`, { counts: { '2000': 2, '1000': 1, '100': 4, '25': 3, '10': 1, '1': 1 } })
    closed.assertStatus(200)
    assert.deepEqual(closed.body().report.refunds, { count: 1, total: 486, cash: 486 })
    assert.equal(closed.body().report.difference, 0)
  })

  test('Z reports are numbered per register without gaps; the till pages open and close a shift', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const register2 = await Register.query().where({ store_id: fixture.store.id, name: 'Register 2' }).firstOrFail()
    const api = await apiAs(client, fixture.users.manager)
    const numbers: [number, number][] = []
    for (const registerId of [fixture.register.id, register2.id, fixture.register.id]) {
      const opened = await api.post('/api/shifts', { register_id: registerId, float: 5000 })
      opened.assertStatus(201)
      const closed = await api.post(`/api/shifts/${opened.body().id}/close`, { counts: { '5000': 1 } })
      closed.assertStatus(200)
      assert.equal(closed.body().report.difference, 0)
      numbers.push([registerId, closed.body().report.number])
    }
    assert.deepEqual(numbers, [[fixture.register.id, 1], [register2.id, 1], [fixture.register.id, 2]])

    // The till: without an open shift it asks for one
    const cookie = String(fixture.register.id)
    const till = (method: 'get' | 'post', url: string) =>
      client[method](url).loginAs(fixture.users.cashier).withCookie('pos_register', cookie).withCsrfToken().redirects(0)
    const gate = await till('get', '/till')
    gate.assertStatus(302)
    assert.equal(gate.header('location'), '/till/shift/open')
    const form = await till('get', '/till/shift/open')
    if (form.status() !== 200) console.log(form.text().slice(0, 3000))
    form.assertStatus(200)
    assert.include(form.text(), 'name="float_counts[2000]"')
    const openedAt = await till('post', '/till/shift/open').form({ 'float_counts[2000]': '2', 'float_counts[500]': '', float: '' })
    assert.equal(openedAt.header('location'), '/till')
    ;(await till('get', '/till')).assertStatus(200)
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()
    assert.equal(shift.opening_float, 4000)

    ;(await till('post', '/till/shift/movements').form({ kind: 'cash_out', amount: '5.25', reason: 'Milk for the staff room' })).assertStatus(302)
    ;(await till('post', '/till/shift/movements').form({ kind: 'no_sale' })).assertStatus(302)
    const x = await till('get', '/till/shift')
    x.assertStatus(200)
    assert.include(x.text(), 'data-testid="expected-cash"><b>$34.75')
    assert.include(x.text(), 'data-testid="no-sales">1')
    // Nothing taken off reads $0.00, not −$0.00
    assert.include(x.text(), 'data-testid="discounts">$0.00')
    assert.include(x.text(), 'data-testid="refunds">$0.00')

    const closeForm = await till('get', '/till/shift/close')
    assert.include(closeForm.text(), 'name="counts[1]"')
    const closed = await till('post', '/till/shift/close').form({ 'counts[2000]': '1', 'counts[1000]': '1', 'counts[100]': '4', 'counts[25]': '3' })
    closed.assertStatus(302)
    assert.equal(closed.header('location'), `/till/shift/${shift.id}/z`)
    const zPage = await till('get', `/till/shift/${shift.id}/z`)
    assert.include(zPage.text(), 'Z report #3')
    assert.include(zPage.text(), 'data-testid="difference"><b>$0.00')
    ;(await till('get', '/till')).assertStatus(302)
    // Closing again (a bookmark, the back button): the reason in the app's page, not a stack trace
    const again = await till('get', '/till/shift/close')
    again.assertStatus(409)
    assert.include(again.text(), 'This register has no open shift: open one first')
    assert.include(again.text(), 'href="/"')
    assert.notInclude(again.text(), 'shift_controller')
  })

  test('two tills opening the same register at once: one shift opens, the other gets a 409', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const [cashier, manager] = await Promise.all([apiAs(client, fixture.users.cashier), apiAs(client, fixture.users.manager)])
    const answers = await Promise.all([
      cashier.post('/api/shifts', { register_id: fixture.register.id, float: 1000 }),
      manager.post('/api/shifts', { register_id: fixture.register.id, float: 2000 }),
    ])
    assert.sameMembers(answers.map((a) => a.status()), [201, 409])
    assert.equal(answers.find((a) => a.status() === 409)!.body().errors[0].code, 'shift_open')
    assert.equal(await countRows('shifts', { register_id: fixture.register.id }), 1)
    const register = await db.from('registers').where('id', fixture.register.id).first()
    assert.equal(register.open_shift_id, answers.find((a) => a.status() === 201)!.body().id)
  })
})
