import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { pluginHost } from '#plugins/host'
import Customer from '#models/customer'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

async function configureAndEnable(client: any, fixture: TestStore, id: string, settings: Record<string, unknown>) {
  const saved = await pluginPost(client, fixture.users.admin, `/backoffice/plugins/${id}/settings`, settings)
  saved.assertStatus(302)
  saved.assertHeader('location', '/backoffice/plugins')
  if (pluginHost.get(id).state !== 'enabled') {
    ;(await pluginPost(client, fixture.users.admin, `/backoffice/plugins/${id}/enable`)).assertStatus(302)
  }
  if (pluginHost.get(id).state !== 'enabled') throw new Error(`${id} did not enable: ${pluginHost.get(id).error}`)
}

async function sell(client: any, fixture: TestStore, items: { product_id: number; quantity: number }[], extra: Record<string, unknown> = {}) {
  const token = await apiToken(client, fixture.users.cashier)
  const response = await client.post('/api/sales').bearerToken(token).json({ items, payment_method: 'card_external', ...extra })
  response.assertStatus(201)
  return response.body()
}

async function lineTaxes(saleId: number) {
  const rows = await db.from('sale_items').where('sale_id', saleId).orderBy('position').select('taxes', 'tax_total')
  return rows.map((r) => (typeof r.taxes === 'string' ? JSON.parse(r.taxes) : r.taxes).map((t: any) => [t.name, t.ratePpm, t.amount]))
}

test.group('Tax regions: EU VAT and US sales tax', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('EU VAT: prices include VAT at the rate of each class; the receipt shows VAT by rate', async ({ client, assert }) => {
    // The store says prices exclude tax; the VAT region says they include it, and wins
    const fixture = await createStore({ pricesIncludeTax: false, chainAdmin: true })
    await configureAndEnable(client, fixture, 'tax-eu-vat', { country: 'DE', rounding: 'half_up_per_line' })
    const standard = await createProduct(fixture, { price: 1000, taxClass: 'standard' })
    const reduced = await createProduct(fixture, { price: 107, taxClass: 'reduced' })
    const zero = await createProduct(fixture, { price: 500, taxClass: 'zero' })
    const sale = await sell(client, fixture, [
      { product_id: standard.id, quantity: 1 },
      { product_id: reduced.id, quantity: 3 },
      { product_id: zero.id, quantity: 1 },
    ])
    // 1000 incl. 19% = 159.66 -> 160; 321 incl. 7% = 21.00; zero-rated 0
    assert.equal(sale.total, 1821)
    assert.equal(sale.tax_total, 181)
    assert.deepEqual(await lineTaxes(sale.id), [[['VAT', 190000, 160]], [['VAT', 70000, 21]], []])

    const receipt = await client.get(`/till/receipts/${sale.id}`).loginAs(fixture.users.cashier)
    receipt.assertStatus(200)
    const text = receipt.text().replace(/\s+/g, ' ')
    assert.match(text, /incl\. VAT 19%<\/span><span class="money">\$1\.60/)
    assert.match(text, /incl\. VAT 7%<\/span><span class="money">\$0\.21/)

    // Another country, other rates; a class the country has no rate for stops the sale
    await configureAndEnable(client, fixture, 'tax-eu-vat', { country: 'FR', rounding: 'half_up_per_line' })
    const french = await sell(client, fixture, [{ product_id: reduced.id, quantity: 1 }])
    // 107 incl. 5.5% = 5.58 -> 6
    assert.equal(french.tax_total, 6)
    const luxury = await createProduct(fixture, { price: 900, taxClass: 'luxury' })
    const token = await apiToken(client, fixture.users.cashier)
    const refused = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: luxury.id, quantity: 1 }] })
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'unknown_tax_class')
    assert.match(refused.body().errors[0].message, /France has no VAT rate for the tax class "luxury"/)
  })

  test('EU VAT per document: the rate totals are rounded once over the sale', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await configureAndEnable(client, fixture, 'tax-eu-vat', { country: 'DE', rounding: 'half_up_per_document' })
    const products = await Promise.all([1, 2, 3].map(() => createProduct(fixture, { price: 10, taxClass: 'standard' })))
    const sale = await sell(client, fixture, products.map((p) => ({ product_id: p.id, quantity: 1 })))
    // 3 x (10 - 10/1.19 = 1.597): per line it would be 6; per document 4.79 -> 5
    assert.equal(sale.tax_total, 5)
    assert.equal(sale.total, 30)
  })

  test('US sales tax: state, county and city taxes on each line, exempt products and customers, per line vs per document', async ({ client, assert }) => {
    const fixture = await createStore({ pricesIncludeTax: true, chainAdmin: true })
    const customerId = (await Customer.create({ storeId: fixture.store.id, name: 'School district' })).id
    const settings = {
      state_name: 'CA state tax', state_rate: '6.25', county_name: 'County', county_rate: '1', city_name: 'City', city_rate: '0.5',
      exempt_customers: `${customerId}`, rounding: 'half_up_per_line',
    }
    // Bad input lands on the fields
    const invalid = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-us-sales/settings', { ...settings, state_rate: '6.255555', county_rate: '25', exempt_customers: 'abc' })
    assert.deepEqual(Object.keys(invalid.flashMessage('inputErrorsBag')).sort(), ['county_rate', 'exempt_customers', 'state_rate'])
    assert.equal(invalid.flashMessage('inputErrorsBag').county_rate[0], 'County rate must be at most 20%')
    // Too many decimals is said as such (it was "must be a number")
    assert.match(invalid.flashMessage('inputErrorsBag').state_rate[0], /takes at most 4 decimals$/)

    await configureAndEnable(client, fixture, 'tax-us-sales', settings)
    assert.equal((await pluginHost.settingsOf('tax-us-sales')).state_rate, 62500)
    const taxed = await createProduct(fixture, { price: 1999, taxClass: 'standard' })
    const exempt = await createProduct(fixture, { price: 500, taxClass: 'exempt' })
    const sale = await sell(client, fixture, [
      { product_id: taxed.id, quantity: 1 },
      { product_id: exempt.id, quantity: 1 },
    ])
    // Prices exclude tax (the region says so, whatever the store's flag): 124.94 -> 125, 19.99 -> 20, 9.995 -> 10
    assert.deepEqual(await lineTaxes(sale.id), [[['CA state tax', 62500, 125], ['County', 10000, 20], ['City', 5000, 10]], []])
    assert.equal(sale.tax_total, 155)
    assert.equal(sale.total, 1999 + 500 + 155)
    const receipt = (await client.get(`/till/receipts/${sale.id}`).loginAs(fixture.users.cashier)).text().replace(/\s+/g, ' ')
    assert.match(receipt, /CA state tax 6\.25%<\/span><span class="money">\$1\.25/)
    assert.match(receipt, /City 0\.5%<\/span><span class="money">\$0\.10/)

    const forExempt = await sell(client, fixture, [{ product_id: taxed.id, quantity: 1 }], { customer_id: customerId })
    assert.equal(forExempt.tax_total, 0)
    assert.equal(forExempt.total, 1999)

    // Three 5-cent lines at 10%: half-up per line gives 3 cents, per document 2
    await configureAndEnable(client, fixture, 'tax-us-sales', { ...settings, state_rate: '10', county_rate: '0', city_rate: '0' })
    const nickels = await Promise.all([1, 2, 3].map(() => createProduct(fixture, { price: 5 })))
    const items = nickels.map((p) => ({ product_id: p.id, quantity: 1 }))
    assert.equal((await sell(client, fixture, items)).tax_total, 3)
    await configureAndEnable(client, fixture, 'tax-us-sales', { ...settings, state_rate: '10', county_rate: '0', city_rate: '0', rounding: 'half_up_per_document' })
    assert.equal((await sell(client, fixture, items)).tax_total, 2)
  })

  test('one tax region at a time: a second is refused while the first is on (which one taxed a sale changed with every settings save)', async ({ client, assert }) => {
    const fixture = await createStore({ pricesIncludeTax: false, chainAdmin: true })
    await configureAndEnable(client, fixture, 'tax-us-sales', { state_name: 'State tax', state_rate: '6.25', rounding: 'half_up_per_line' })
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-eu-vat/settings', { country: 'DE', rounding: 'half_up_per_line' })).assertStatus(302)
    const second = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-eu-vat/enable')
    assert.include(JSON.stringify(second.flashMessages()), '\\"US sales tax\\" works out the tax already: disable it first')
    assert.equal(pluginHost.get('tax-eu-vat').state, 'available')
    // Saving the first one's settings again leaves it the one in force
    await configureAndEnable(client, fixture, 'tax-us-sales', { state_name: 'State tax', state_rate: '7', rounding: 'half_up_per_line' })
    const product = await createProduct(fixture, { price: 1000, taxClass: 'standard' })
    const sale = await sell(client, fixture, [{ product_id: product.id, quantity: 1 }])
    assert.deepEqual(await lineTaxes(sale.id), [[['State tax', 70000, 70]]])
    // Off, the other may go on
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-us-sales/disable')).assertStatus(302)
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-eu-vat/enable')).assertStatus(302)
    assert.equal(pluginHost.get('tax-eu-vat').state, 'enabled')
    // Enabled by another app server only (its stored flag; not running in this process): still refused here
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-eu-vat/disable')).assertStatus(302)
    await db.from('plugins').where('id', 'tax-eu-vat').update({ enabled: true })
    const elsewhere = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-us-sales/enable')
    assert.include(JSON.stringify(elsewhere.flashMessages()), 'works out the tax already')
    assert.equal(pluginHost.get('tax-us-sales').state, 'available')
  })

  test('US sales tax with a compound city tax: charged on the price plus the state and county taxes', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await configureAndEnable(client, fixture, 'tax-us-sales', {
      state_name: 'State', state_rate: '6.25', county_name: 'County', county_rate: '1', city_name: 'City', city_rate: '0.5', city_compound: 'on', rounding: 'half_up_per_line',
    })
    const product = await createProduct(fixture, { price: 1999 })
    const sale = await sell(client, fixture, [{ product_id: product.id, quantity: 1 }])
    // City: (1999 + 124.9375 + 19.99) x 0.5% = 10.72 -> 11
    assert.deepEqual(await lineTaxes(sale.id), [[['State', 62500, 125], ['County', 10000, 20], ['City', 5000, 11]]])
    assert.equal(sale.total, 1999 + 156)
  })

  test('the cart shows the plugin taxes on the till, and the flat rate is back once it is disabled', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await configureAndEnable(client, fixture, 'tax-us-sales', { state_name: 'State', state_rate: '5', rounding: 'half_up_per_line' })
    const product = await createProduct(fixture, { price: 1000 })
    const scan = await client
      .post('/till/items')
      .form({ product_id: product.id })
      .header('hx-request', 'true')
      .withCsrfToken()
      .withCookie(REGISTER_COOKIE, String(fixture.register.id))
      .loginAs(fixture.users.cashier)
    scan.assertStatus(200)
    assert.match(scan.text(), /data-testid="tax">\$0\.50</)
    assert.include(scan.text(), '<span>Tax</span>')
    await pluginPost(client, fixture.users.admin, '/backoffice/plugins/tax-us-sales/disable')
    const sale = await sell(client, fixture, [{ product_id: product.id, quantity: 1 }])
    assert.equal(sale.tax_total, 80)

    // EU VAT: the cart says the tax is included, whatever the store's own setting
    await configureAndEnable(client, fixture, 'tax-eu-vat', { country: 'DE', rounding: 'half_up_per_line' })
    const vat = await client
      .post('/till/items')
      .form({ product_id: product.id })
      .header('hx-request', 'true')
      .withCsrfToken()
      .withCookie(REGISTER_COOKIE, String(fixture.register.id))
      .loginAs(fixture.users.cashier)
    assert.include(vat.text(), '<span>Tax included</span>')
    // Two units at 10.00 incl. 19%: 2000 - 2000/1.19 = 319.33 -> 319
    assert.match(vat.text(), /data-testid="tax">\$3\.19</)
    assert.match(vat.text(), /data-testid="total">\$20\.00</)
  })
})
