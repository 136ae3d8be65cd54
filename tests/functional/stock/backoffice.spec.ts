import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Category from '#models/category'
import { countRows, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { reopen, sellFor, submit } from '#tests/functional/backoffice/helpers'

/** Form fields as a browser names them: items[0][code], counted[p12], received[l3] */
function fields(name: string, value: Record<string, unknown> | Record<string, unknown>[]) {
  const out: Record<string, string> = {}
  for (const [key, entry] of Object.entries(value)) {
    if (entry && typeof entry === 'object') {
      for (const [column, v] of Object.entries(entry)) out[`${name}[${key}][${column}]`] = String(v)
    } else {
      out[`${name}[${name === 'counted' ? 'p' : 'l'}${key}]`] = String(entry)
    }
  }
  return out
}

test.group('Back office: stock', () => {
  test('a list or an object where a text belongs (note, reference, supplier) is refused on its field, nothing written (it was a 500)', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { name: 'Oat Milk', stock: 2 })
    const manager = fixture.users.manager
    const line = fields('items', [{ code: a.sku, quantity: '1', unit_cost: '1.00' }])
    for (const [url, body, field] of [
      ['/backoffice/stock/receipts', { supplier: 'Dairy Co', 'reference[]': 'a', ...line }, 'reference'],
      ['/backoffice/stock/receipts', { supplier: 'Dairy Co', 'note[x]': 'a', ...line }, 'note'],
      ['/backoffice/stock/receipts', { 'supplier[]': 'Dairy Co', ...line }, 'supplier'],
      ['/backoffice/stock/adjustments', { reason: 'found', 'note[]': 'a', ...fields('items', [{ code: a.sku, quantity: '1' }]) }, 'note'],
    ] as const) {
      const refused = await submit(client, manager, 'post', url, body, `${url}/new`)
      refused.assertStatus(302)
      assert.deepEqual(refused.flashMessages().inputErrorsBag[field], ['Enter this as text'], `${url} ${field}`)
    }
    assert.equal(await stockOf(a.id), 2)
  })

  test('receiving goods by SKU or barcode; a bad line shows its error on its row and column', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { name: 'Oat Milk', stock: 2, cost: 100, barcode: '4006381333931' })
    const b = await createProduct(fixture, { name: 'Soy Milk', stock: 0 })
    const manager = fixture.users.manager
    const form = await client.get('/backoffice/stock/receipts/new').loginAs(manager)
    form.assertStatus(200)
    assert.include(form.text(), 'name="items[0][code]"')

    const bad = await submit(client, manager, 'post', '/backoffice/stock/receipts', {
      supplier: 'Dairy Co',
      ...fields('items', [{ code: b.sku, quantity: '5', unit_cost: '1.20' }, { code: '', quantity: '', unit_cost: '' }, { code: '4006381333931', quantity: '-2', unit_cost: '1.20' }]),
    }, '/backoffice/stock/receipts/new')
    bad.assertStatus(302)
    assert.deepEqual(bad.flashMessages().inputErrorsBag['items.2.quantity'], ['The quantity received cannot be negative'], JSON.stringify(bad.flashMessages()))
    const reopened = await reopen(client, manager, '/backoffice/stock/receipts/new', bad)
    assert.include(reopened.text(), 'data-error-for="items.2.quantity"')
    assert.include(reopened.text(), 'value="Dairy Co"')
    assert.equal(await stockOf(a.id), 2)
    assert.equal(await stockOf(b.id), 0)

    const unknown = await submit(client, manager, 'post', '/backoffice/stock/receipts', { supplier: 'Dairy Co', ...fields('items', [{ code: 'NOPE', quantity: '1', unit_cost: '1' }]) })
    assert.include(unknown.flashMessages().inputErrorsBag['items.0.code'][0], 'No product')

    const good = await submit(client, manager, 'post', '/backoffice/stock/receipts', { supplier: 'Dairy Co', ...fields('items', [{ code: '4006381333931', quantity: '12', unit_cost: '1.25' }]) })
    good.assertStatus(302)
    assert.match(good.headers().location, /^\/backoffice\/stock\/receipts\/\d+$/)
    assert.equal(await stockOf(a.id), 14)
    assert.equal(await ledgerSum(a.id), 14)
    assert.equal((await db.from('products').where('id', a.id).first()).cost, 125)
    const page = await client.get(good.headers().location).loginAs(manager)
    assert.include(page.text(), 'Oat Milk')
    assert.include(page.text(), '$1.25')
  })

  test('a receipt wrong in several fields shows every field\'s error at once, nothing written', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { name: 'Oat Milk', stock: 2 })
    const b = await createProduct(fixture, { name: 'Soy Milk', stock: 3 })
    const c = await createProduct(fixture, { name: 'Rice Milk', stock: 4 })
    await db.from('products').where('id', c.id).update({ archived_at: '2026-01-01 00:00:00' })
    const manager = fixture.users.manager
    // It came back with the supplier's error only; fixed, with the first line's; and so on
    const bad = await submit(client, manager, 'post', '/backoffice/stock/receipts', {
      supplier: '',
      ...fields('items', [
        { code: 'NOPE', quantity: '1', unit_cost: '1.00' },
        { code: a.sku, quantity: '-2', unit_cost: '1.00' },
        { code: b.sku, quantity: '3', unit_cost: 'abc' },
        { code: '', quantity: '4', unit_cost: '' },
        { code: c.sku, quantity: '1', unit_cost: '1.00' },
      ]),
    }, '/backoffice/stock/receipts/new')
    bad.assertStatus(302)
    const bag = bad.flashMessages().inputErrorsBag
    assert.deepEqual(bag, {
      'supplier': ['Name the supplier'],
      'items.0.code': ['No product with SKU or barcode "NOPE"'],
      'items.1.quantity': ['The quantity received cannot be negative'],
      'items.2.unit_cost': ['Enter the unit cost like 4.50'],
      'items.3.code': ['Enter a SKU or barcode'],
      'items.4.code': ['"Rice Milk" is archived: restore it before receiving stock into it'],
    })
    const reopened = await reopen(client, manager, '/backoffice/stock/receipts/new', bad)
    for (const key of Object.keys(bag).filter((k) => k !== 'supplier')) assert.include(reopened.text(), `data-error-for="${key}"`)
    assert.deepEqual([await stockOf(a.id), await stockOf(b.id), await stockOf(c.id)], [2, 3, 4])
    assert.equal(await countRows('stock_receipts', { store_id: fixture.store.id }), 0)

    // Sent empty: no line, and no supplier either (it said only "Add at least one product")
    const empty = await submit(client, manager, 'post', '/backoffice/stock/receipts', { supplier: '' }, '/backoffice/stock/receipts/new')
    assert.deepEqual(empty.flashMessages().inputErrorsBag, { 'items.0.code': ['Add at least one product'], 'supplier': ['Name the supplier'] })
  })

  test('an adjustment from the form, then the product\'s ledger with balances', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { name: 'Glass Jar', stock: 6 })
    const manager = fixture.users.manager
    const response = await submit(client, manager, 'post', '/backoffice/stock/adjustments', { reason: 'damaged', note: 'cracked', ...fields('items', [{ code: a.sku, quantity: '-2' }]) })
    response.assertStatus(302)
    assert.equal(await stockOf(a.id), 4)
    const history = await client.get(`/backoffice/products/${a.id}/stock`).loginAs(manager)
    history.assertStatus(200)
    assert.include(history.text(), 'damaged: cracked')
    assert.match(history.text(), /data-testid="on-hand">4</)

    const noReason = await submit(client, manager, 'post', '/backoffice/stock/adjustments', { reason: '', ...fields('items', [{ code: a.sku, quantity: '-1' }]) })
    assert.property(noReason.flashMessages().inputErrorsBag, 'reason')
    assert.equal(await stockOf(a.id), 4)
  })

  test('low-stock thresholds per product drive the dashboard list; absurd thresholds are refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const plenty = await createProduct(fixture, { name: 'Plenty Beans', stock: 8 })
    const scarce = await createProduct(fixture, { name: 'Scarce Rice', stock: 3 })
    const manager = fixture.users.manager
    let dashboard = await client.get('/backoffice').loginAs(manager)
    assert.include(dashboard.text(), 'Scarce Rice')
    assert.notInclude(dashboard.text(), 'Plenty Beans')

    await submit(client, manager, 'post', `/backoffice/products/${plenty.id}/threshold`, { low_stock_threshold: '10' }).then((r: any) => r.assertStatus(302))
    await submit(client, manager, 'post', `/backoffice/products/${scarce.id}/threshold`, { low_stock_threshold: '0' })
    dashboard = await client.get('/backoffice').loginAs(manager)
    assert.include(dashboard.text(), 'Plenty Beans')
    assert.notInclude(dashboard.text(), 'Scarce Rice')

    const absurd = await submit(client, manager, 'post', `/backoffice/products/${scarce.id}/threshold`, { low_stock_threshold: '-1' })
    assert.property(absurd.flashMessages().inputErrorsBag, 'low_stock_threshold')
  })

  test('a stocktake by category: counts saved, a negative count refused, variances posted as count movements on approval', async ({ client, assert }) => {
    const fixture = await createStore()
    const drinks = await Category.create({ storeId: fixture.store.id, name: 'Drinks', position: 1 })
    const a = await createProduct(fixture, { name: 'Counted Soda', stock: 10 })
    const b = await createProduct(fixture, { name: 'Counted Water', stock: 5 })
    const c = await createProduct(fixture, { name: 'Uncounted Juice', stock: 7 })
    const outside = await createProduct(fixture, { name: 'Other Category', stock: 1 })
    await db.from('products').whereIn('id', [a.id, b.id, c.id]).update({ category_id: drinks.id })
    const manager = fixture.users.manager

    const start = await submit(client, manager, 'post', '/backoffice/stock/stocktakes', { category_id: String(drinks.id) })
    start.assertStatus(302)
    const url = start.headers().location
    const sheet = await client.get(url).loginAs(manager)
    assert.include(sheet.text(), 'Counted Soda')
    assert.notInclude(sheet.text(), 'Other Category')

    // A bad count is refused on its line; the good ones of the same save are kept (stocktake_refusals.spec.ts)
    const negative = await submit(client, manager, 'post', url, { ...fields('counted', { [a.id]: '-4', [b.id]: '5' }) }, url)
    negative.assertStatus(422)
    assert.include(negative.text(), `data-testid="count-error-${a.id}">A count cannot be negative</p>`)
    assert.deepEqual((await db.from('stocktake_lines').whereIn('product_id', [a.id, b.id]).orderBy('product_id').select('counted')).map((l) => l.counted), [null, 5])
    const absurd = await submit(client, manager, 'post', url, { ...fields('counted', { [a.id]: '2000000' }) }, url)
    assert.include(absurd.text(), 'A count of 2000000 is not believable')

    await submit(client, manager, 'post', url, { ...fields('counted', { [a.id]: '8', [b.id]: '6', [c.id]: '' }) }).then((r: any) => r.assertStatus(302))
    const approve = await submit(client, manager, 'post', url, { ...fields('counted', { [a.id]: '8', [b.id]: '6', [c.id]: '' }), approve: '1' })
    approve.assertStatus(302)
    assert.include(approve.flashMessage('notice'), '2 variance(s)')

    assert.deepEqual([await stockOf(a.id), await stockOf(b.id), await stockOf(c.id), await stockOf(outside.id)], [8, 6, 7, 1])
    for (const p of [a, b, c]) assert.equal(await ledgerSum(p.id), await stockOf(p.id))
    const counts = await db.from('stock_movements').whereIn('product_id', [a.id, b.id, c.id]).where('reason', 'count').orderBy('product_id').select('product_id', 'quantity')
    assert.deepEqual(counts.map((m) => [m.product_id, m.quantity]), [[a.id, -2], [b.id, 1]])

    const twice = await submit(client, manager, 'post', url, { ...fields('counted', {}), approve: '1' })
    assert.equal(twice.status(), 302)
    assert.equal(await countRows('stock_movements', { product_id: a.id, reason: 'count' }), 1)
  })

  test('a stocktake counted while the store sells: approval posts the difference from the stock when counted, so the sales since stay sold', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', stock: 208 })
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location
    // 200 on the shelf when counted (8 missing)
    await submit(client, manager, 'post', url, fields('counted', { [tea.id]: '200' })).then((r: any) => r.assertStatus(302))
    const sheet = await client.get(url).loginAs(manager)
    assert.include(sheet.text(), `data-testid="variance-${tea.id}">-8<`)
    // As many headings as cells (an inline @if printed itself and shifted every column)
    assert.notInclude(sheet.text(), '@if')
    assert.equal(sheet.text().match(/<th[ >]/g)!.length, 6)
    // 5 sold after the count, before the approval
    await sellFor(fixture, [{ product: tea, quantity: 5 }])
    assert.equal(await stockOf(tea.id), 203)
    // The sheet is posted whole again with the approval: the unchanged count keeps its stock of then
    const approve = await submit(client, manager, 'post', url, { ...fields('counted', { [tea.id]: '200' }), approve: '1' })
    approve.assertStatus(302)
    // Before: set to 200 (a movement of -3) with 195 on the shelf, and 3 reported missing
    assert.equal(await stockOf(tea.id), 195)
    assert.equal(await ledgerSum(tea.id), 195)
    const approved = await client.get(url).loginAs(manager)
    assert.notInclude(approved.text(), '@if')
    assert.equal(approved.text().match(/<th[ >]/g)!.length, 5)
    const line = await db.from('stocktake_lines').where('product_id', tea.id).firstOrFail()
    assert.deepEqual([Number(line.expected), Number(line.variance)], [208, -8])

    // More sold since the count than it found: the stock stops at nothing in a store that keeps it
    // from going negative (it went to -3), the ledger still adding up to it
    const scone = await createProduct(fixture, { name: 'Scone', stock: 10 })
    const sheet2 = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location
    await submit(client, manager, 'post', sheet2, fields('counted', { [scone.id]: '2' }))
    await sellFor(fixture, [{ product: scone, quantity: 5 }])
    ;(await submit(client, manager, 'post', sheet2, { ...fields('counted', { [scone.id]: '2' }), approve: '1' })).assertStatus(302)
    assert.equal(await stockOf(scone.id), 0)
    assert.equal(await ledgerSum(scone.id), 0)
  })

  test('transfers from the back office: sent, then received by the other store with a difference', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const a = await createProduct(from, { name: 'Travel Mug', sku: `MUG-${from.tag}`, stock: 9 })
    const b = await createProduct(to, { name: 'Travel Mug', sku: `MUG-${from.tag}`, stock: 0 })
    const form = await client.get('/backoffice/stock/transfers/new').loginAs(from.users.manager)
    assert.include(form.text(), to.store.name)
    assert.notInclude(form.text(), `>${from.store.name}</option>`)

    const sent = await submit(client, from.users.manager, 'post', '/backoffice/stock/transfers', { to_store_id: String(to.store.id), ...fields('items', [{ code: a.sku, quantity: '5' }]) })
    sent.assertStatus(302)
    const url = sent.headers().location
    assert.equal(await stockOf(a.id), 4)
    const line = await db.from('stock_transfer_lines').where('product_id', a.id).firstOrFail()

    const sender = await client.get(url).loginAs(from.users.manager)
    assert.include(sender.text(), 'in transit')
    assert.notInclude(sender.text(), 'Receive transfer')

    const receiver = await client.get(url).loginAs(to.users.manager)
    assert.include(receiver.text(), 'Receive transfer')
    const received = await submit(client, to.users.manager, 'post', `${url}/receive`, { ...fields('received', { [line.id]: '4' }) })
    received.assertStatus(302)
    assert.equal(await stockOf(b.id), 4)
    assert.equal(await ledgerSum(b.id), 4)
    const after = await client.get(url).loginAs(to.users.manager)
    assert.include(after.text(), 'badge-bad">-1<')
  })

  test('a cashier and an accountant may not open the stock pages', async ({ client }) => {
    const fixture = await createStore()
    for (const role of ['cashier', 'accountant'] as const) {
      const response = await client.get('/backoffice/stock').loginAs(fixture.users[role])
      response.assertStatus(403)
    }
    const refused = await submit(client, fixture.users.accountant, 'post', '/backoffice/stock/adjustments', { reason: 'found', items: [] })
    refused.assertStatus(403)
  })
})
