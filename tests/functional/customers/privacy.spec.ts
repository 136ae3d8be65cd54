import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Papa from 'papaparse'
import Customer from '#models/customer'
import CheckoutService from '#sales/checkout_service'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { createCustomer, sellTo } from '#tests/functional/customers/helpers'

async function audits(fixture: TestStore, action: string) {
  return db.from('audit_logs').where({ store_id: fixture.store.id, action }).select('user_id', 'subject_type', 'subject_id', 'data')
}

/** A customer with two completed sales (one with a discount), and someone else's sale */
async function customerWithSales() {
  const fixture = await createStore()
  const tea = await createProduct(fixture, { name: 'Green Tea', sku: `TEA-${fixture.tag}`, price: 450 })
  const cup = await createProduct(fixture, { name: '-2+3 Cup', price: 1200 })
  const customer = await createCustomer(fixture, {
    name: '=HYPERLINK("http://evil.test","Click") Smith',
    email: `victim.${fixture.tag}@example.test`,
    phone: '+15550123456',
    notes: '@SUM(A1:A9)\n=cmd|calc',
  })
  const first = await sellTo(fixture, customer, [{ product: tea, quantity: 2 }, { product: cup, quantity: 1 }])
  const { sale: second } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, {
    customerId: customer.id,
    lines: [{ productId: tea.id, quantity: 4, discountType: 'percent', discountValue: 1000 }],
    payment: { method: 'card_external', reference: 'AUTH-77' },
  })
  const other = await sellTo(fixture, null, [{ product: cup, quantity: 1 }])
  // a parked note naming them on their first sale
  await db.from('sales').where('id', first.id).update({ note: 'for Mrs Smith' })
  return { fixture, customer, first, second, other, tea, cup }
}

test.group('Customers: export (GDPR / CCPA)', () => {
  test('an admin exports everything as JSON: the customer, their sales with lines and payments; audited', async ({ client, assert }) => {
    const { fixture, customer, first, second, other } = await customerWithSales()
    const response = await submit(client, fixture.users.admin, 'post', `/backoffice/customers/${customer.id}/export`, { format: 'json', confirm: 'on' })
    response.assertStatus(200)
    response.assertHeader('content-disposition', `attachment; filename="customer-${customer.id}.json"`)
    assert.match(response.header('content-type'), /application\/json/)
    response.assertHeader('cache-control', 'no-store')
    const data = JSON.parse(response.text())
    assert.containsSubset(data.customer, { id: customer.id, name: customer.name, email: customer.email, phone: '+15550123456', notes: customer.notes, erased: false })
    assert.deepEqual(data.sales.map((s: any) => s.id), [first.id, second.id])
    assert.notInclude(JSON.stringify(data), `"id":${other.id},"number"`)
    const [a, b] = data.sales
    assert.containsSubset(a, { status: 'completed', total: first.total, note: 'for Mrs Smith' })
    assert.lengthOf(a.items, 2)
    assert.containsSubset(a.items, [{ name: 'Green Tea', quantity: 2, unit_price: 450 }, { name: '-2+3 Cup', quantity: 1 }])
    assert.containsSubset(a.payments, [{ method: 'cash', amount: first.total }])
    assert.containsSubset(b.payments, [{ method: 'card_external', reference: 'AUTH-77', amount: second.total }])
    assert.equal(b.discount_total, 180)

    const entries = await audits(fixture, 'customer_exported')
    assert.lengthOf(entries, 1)
    assert.containsSubset(entries[0], { user_id: fixture.users.admin.id, subject_type: 'customer', subject_id: customer.id })
    assert.deepEqual(JSON.parse(entries[0].data), { format: 'json', sales: 2 })
  })

  test('the CSV export has every record, and cells a spreadsheet would run start with a quote', async ({ client, assert }) => {
    const { fixture, customer, first, second } = await customerWithSales()
    const response = await submit(client, fixture.users.admin, 'post', `/backoffice/customers/${customer.id}/export`, { format: 'csv', confirm: 'on' })
    response.assertStatus(200)
    assert.match(response.header('content-type'), /text\/csv/)
    response.assertHeader('content-disposition', `attachment; filename="customer-${customer.id}.csv"`)
    const parsed = Papa.parse<Record<string, string>>(response.text(), { header: true, skipEmptyLines: true })
    assert.lengthOf(parsed.errors, 0)
    const rows = parsed.data
    assert.deepEqual(rows.map((r) => r.record), ['customer', 'sale', 'line', 'line', 'payment', 'sale', 'line', 'payment'])

    const person = rows[0]
    assert.equal(person.name, `'${customer.name}`)
    assert.equal(person.email, customer.email)
    // A phone keeps the guard: no safe way shows +1555… as text without it (docs/customers.md)
    assert.equal(person.phone, "'+15550123456")
    assert.equal(person.notes, "'@SUM(A1:A9)\n=cmd|calc")
    assert.containsSubset(rows[1], { sale_id: String(first.id), status: 'completed', total: (first.total / 100).toFixed(2), currency: 'USD', notes: 'for Mrs Smith' })
    assert.containsSubset(rows[2], { name: 'Green Tea', sku: `TEA-${fixture.tag}`, quantity: '2', unit_price: '4.50' })
    assert.containsSubset(rows[3], { name: "'-2+3 Cup" })
    assert.containsSubset(rows[7], { record: 'payment', sale_id: String(second.id), method: 'card_external', reference: 'AUTH-77' })
    // Every row's time in one format, the sales lines export's: the store's zone with its offset
    // (the customer's read "+00:00", the sales' and payments' "Z", some with milliseconds)
    const dated = rows.filter((r) => r.record !== 'line')
    assert.lengthOf(dated, 5)
    for (const row of dated) assert.match(row.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/, `${row.record} ${row.id}: ${row.date}`)
    const zone = fixture.store.timeZone
    assert.equal(person.date, customer.createdAt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"))
    // no cell of the file starts with a formula character
    for (const row of rows) {
      for (const value of Object.values(row)) assert.notMatch(value, /^[=+\-@\t\r]/)
    }
    assert.deepEqual(JSON.parse((await audits(fixture, 'customer_exported'))[0].data), { format: 'csv', sales: 2 })
  })

  test('only an admin exports, and only after confirming; nothing is audited otherwise', async ({ client, assert }) => {
    const fixture = await createStore()
    const customer = await createCustomer(fixture)
    const page = `/backoffice/customers/${customer.id}`
    for (const role of ['manager', 'cashier', 'accountant'] as const) {
      const refused = await submit(client, fixture.users[role], 'post', `${page}/export`, { format: 'json', confirm: 'on' })
      refused.assertStatus(403)
      ;(await submit(client, fixture.users[role], 'post', `${page}/erase`, { confirm: 'on' })).assertStatus(403)
    }
    const unconfirmed = await submit(client, fixture.users.admin, 'post', `${page}/export`, { format: 'json' }, page)
    unconfirmed.assertStatus(302)
    unconfirmed.assertHeader('location', page)
    assert.property(unconfirmed.flashMessage('inputErrorsBag'), 'confirm')
    const unconfirmedErase = await submit(client, fixture.users.admin, 'post', `${page}/erase`, {}, page)
    assert.property(unconfirmedErase.flashMessage('inputErrorsBag'), 'confirm')
    const shown = await client.get(page).withFlashMessages(unconfirmedErase.flashMessages()).loginAs(fixture.users.admin)
    assert.include(shown.text(), 'data-testid="confirm-error"')
    assert.lengthOf(await audits(fixture, 'customer_exported'), 0)
    assert.lengthOf(await audits(fixture, 'customer_erased'), 0)
    await customer.refresh()
    assert.isNull(customer.erasedAt)
    // the admin sees the privacy actions, with a confirmation
    assert.include(shown.text(), `action="/backoffice/customers/${customer.id}/erase"`)
    assert.include(shown.text(), 'data-confirm="Erase this customer for good?')
  })
})

test.group('Customers: erasure (GDPR / CCPA)', () => {
  test('erasing removes the personal data, is audited, and the sales still add up', async ({ client, assert }) => {
    const { fixture, customer, first, second, other } = await customerWithSales()
    const token = await apiToken(client, fixture.users.manager)
    const salesTable = async () => {
      const html = (await client.get('/backoffice/sales').loginAs(fixture.users.manager)).text()
      return html.slice(html.indexOf('<table class="list">'), html.indexOf('</table>'))
    }
    const apiBefore = (await client.get('/api/sales').bearerToken(token)).body()
    const listBefore = await salesTable()
    const details = async () => Promise.all([first, second].map(async (s) => (await client.get(`/api/sales/${s.id}`).bearerToken(token)).body()))
    const detailBefore = await details()
    assert.equal(apiBefore.data.reduce((sum: number, s: any) => sum + s.total, 0), first.total + second.total + other.total)

    const response = await submit(client, fixture.users.admin, 'post', `/backoffice/customers/${customer.id}/erase`, { confirm: 'on' })
    response.assertStatus(302)
    response.assertHeader('location', `/backoffice/customers/${customer.id}`)

    const erased = await Customer.findOrFail(customer.id)
    assert.equal(erased.name, `Erased customer #${customer.id}`)
    assert.isNull(erased.email)
    assert.isNull(erased.phone)
    assert.isNull(erased.notes)
    assert.isNotNull(erased.erasedAt)
    const row = JSON.stringify(await db.from('customers').where('id', customer.id).first())
    for (const secret of ['Smith', 'victim', '5550123456', 'SUM']) assert.notInclude(row, secret)
    // the sales stay linked, without the free-text note that named them
    const sales = await db.from('sales').where('customer_id', customer.id).orderBy('id')
    assert.deepEqual(sales.map((s) => s.id), [first.id, second.id])
    assert.isTrue(sales.every((s) => s.note === null))

    const entries = await audits(fixture, 'customer_erased')
    assert.lengthOf(entries, 1)
    assert.containsSubset(entries[0], { user_id: fixture.users.admin.id, subject_type: 'customer', subject_id: customer.id })
    assert.deepEqual(JSON.parse(entries[0].data), { sales: 2, unlinked: 0 })

    // the books are unchanged: the API's sales and totals, the back-office list
    assert.deepEqual((await client.get('/api/sales').bearerToken(token)).body(), apiBefore)
    assert.deepEqual(await details(), detailBefore)
    assert.equal(await salesTable(), listBefore)

    // the sale page and the receipt no longer name anyone
    const salePage = await client.get(`/backoffice/sales/${first.id}`).loginAs(fixture.users.manager)
    assert.notInclude(salePage.text(), 'Smith')
    assert.notInclude(salePage.text(), 'Thank you,')
    assert.include(salePage.text(), 'Erased customer')
    const page = await client.get(`/backoffice/customers/${customer.id}`).loginAs(fixture.users.admin)
    assert.include(page.text(), 'data-testid="erased"')
    assert.include(page.text(), `href="/backoffice/sales/${second.id}"`)
    assert.notInclude(page.text(), `/backoffice/customers/${customer.id}/export`)
  })

  test('an erased customer cannot be exported again, erased twice, nor edited', async ({ client, assert }) => {
    const fixture = await createStore()
    const customer = await createCustomer(fixture, { name: 'Once Known' })
    const page = `/backoffice/customers/${customer.id}`
    ;(await submit(client, fixture.users.admin, 'post', `${page}/erase`, { confirm: 'on' })).assertStatus(302)

    const exported = await submit(client, fixture.users.admin, 'post', `${page}/export`, { format: 'json', confirm: 'on' }, page)
    exported.assertStatus(302)
    assert.match(exported.flashMessage('inputErrorsBag').form[0], /no personal data left to export/)
    const again = await submit(client, fixture.users.admin, 'post', `${page}/erase`, { confirm: 'on' }, page)
    assert.match(again.flashMessage('inputErrorsBag').form[0], /was erased/)
    const edit = await submit(client, fixture.users.admin, 'put', page, { name: 'Once Known' }, `${page}/edit`)
    assert.match(edit.flashMessage('inputErrorsBag').form[0], /was erased/)
    assert.lengthOf(await audits(fixture, 'customer_exported'), 0)
    assert.lengthOf(await audits(fixture, 'customer_erased'), 1)
    assert.equal((await Customer.findOrFail(customer.id)).name, `Erased customer #${customer.id}`)
  })
})
