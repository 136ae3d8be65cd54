import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { recordAudit } from '#platform/audit_service'
import { countRows, createProduct, createStore, stockOf } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'

/*
| The back office's forms and filters take what they offer, or say no at the field: a required
| plugin setting cleared was saved as its default ("saved"), a stocktake of category "abc" counted
| the whole store, a discount limit of "1e1" saved 10%, a receipt line's code sent as a list was
| read as its text, and an audit filter that is not one listed every entry.
*/

test.group('Back office: a plugin setting left blank', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('a required setting cleared is "… is required" at its field, nothing saved; one not required falls back', async ({ client, assert }) => {
    const admin = (await createStore({ chainAdmin: true })).users.admin
    const url = '/backoffice/plugins/loyalty-points/settings'
    const stored = async (key: string) => JSON.parse((await db.from('plugin_settings').where({ plugin_id: 'loyalty-points', key }).firstOrFail()).value)
    ;(await pluginPost(client, admin, url, { points_per_unit: '3', point_value: '0.02', min_redeem: '100' })).assertStatus(302)
    assert.equal(await stored('points_per_unit'), 3)

    const cleared = await pluginPost(client, admin, url, { points_per_unit: '', point_value: '0.02', min_redeem: '100' }).header('referer', url)
    cleared.assertStatus(302)
    assert.deepEqual(cleared.flashMessage('inputErrorsBag'), { points_per_unit: ['Points per currency unit spent is required'] })
    assert.isUndefined(cleared.flashMessage('notice'))
    assert.equal(await stored('points_per_unit'), 3)

    // The hello fixture's secret is not required: left blank, nothing is stored for it and the greeting saves
    ;(await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Hi', api_key: '' })).assertStatus(302)
    const greeting = await db.from('plugin_settings').where({ plugin_id: 'hello', key: 'greeting' }).firstOrFail()
    assert.equal(JSON.parse(greeting.value), 'Hi')
    const blank = await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: ' ' })
    assert.deepEqual(blank.flashMessage('inputErrorsBag'), { greeting: ['Greeting is required'] })
  })
})

test.group('Back office: values the forms do not offer', () => {
  test('a stocktake of a category that is not one is refused at the field; none, or empty, counts every product', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Tea', stock: 3 })
    const manager = fixture.users.manager
    const from = '/backoffice/stock/stocktakes'
    for (const category of ['abc', '0', '1e1', '99999']) {
      const refused = await submit(client, manager, 'post', from, { category_id: category }, from)
      refused.assertStatus(302)
      assert.deepEqual(refused.flashMessage('inputErrorsBag'), { category_id: ['This category does not exist'] }, category)
    }
    const listed = await submit(client, manager, 'post', from, { 'category_id[]': '1' }, from)
    assert.deepEqual(listed.flashMessage('inputErrorsBag'), { category_id: ['This category does not exist'] })
    assert.equal(await countRows('stocktakes', { store_id: fixture.store.id }), 0)
    const all = await submit(client, manager, 'post', from, { category_id: '' }, from)
    all.assertStatus(302)
    assert.match(all.headers().location, /^\/backoffice\/stock\/stocktakes\/\d+$/)
    assert.equal((await db.from('stocktakes').where('store_id', fixture.store.id).firstOrFail()).name, 'All products')
  })

  test('numbers are plain digits: a discount limit of "1e1", a cash rounding of "0x5" or a product stock of "1e3" are refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    const edit = `/backoffice/stores/${fixture.store.id}/edit`
    const form = { name: fixture.store.name, currency: 'USD', time_zone: 'America/New_York', cash_rounding: '1' }
    const limitBefore = (await db.from('stores').where('id', fixture.store.id).first()).discount_limit
    for (const [field, value] of [['discount_limit', '1e1'], ['discount_limit', '0x5'], ['cash_rounding', '0x5'], ['cash_rounding', '5e0']]) {
      const refused = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}`, { ...form, [field]: value }, edit)
      refused.assertStatus(302)
      assert.deepEqual(Object.keys(refused.flashMessage('inputErrorsBag')), [field], `${field}=${value}`)
    }
    const store = await db.from('stores').where('id', fixture.store.id).first()
    assert.equal(store.discount_limit, limitBefore)
    assert.equal(store.cash_rounding, 1)
    // ".5" is a number as a browser's number field sends it: half a percent
    const half = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}`, { ...form, discount_limit: '.5' }, edit)
    assert.isUndefined(half.flashMessage('inputErrorsBag'))
    assert.equal((await db.from('stores').where('id', fixture.store.id).first()).discount_limit, 50)

    const tea = await createProduct(fixture, { name: 'Tea', price: 500, stock: 4 })
    const product = { name: 'Tea', sku: tea.sku, price: '5.00', tax_class: 'standard', stock: '1e3', stock_was: '4' }
    const stock = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${tea.id}`, product, `/backoffice/products/${tea.id}/edit`)
    assert.property(stock.flashMessage('inputErrorsBag'), 'stock')
    assert.equal(await stockOf(tea.id), 4)
  })

  test('a list page typed "1e1" is the first page, not the tenth', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: true })
    for (const page of ['1', '1e1', '0x2', 'abc']) {
      const list = await client.get(`/backoffice/shifts?page=${page}`).loginAs(fixture.users.manager)
      list.assertStatus(200)
      assert.include(list.text(), 'data-shift-id=', `page=${page}`)
    }
  })

  test('a receipt line whose code is a list is refused at its field, nothing received', async ({ client, assert }) => {
    const fixture = await createStore()
    const oat = await createProduct(fixture, { name: 'Oat Milk', stock: 2 })
    const from = '/backoffice/stock/receipts/new'
    const body = { supplier: 'Dairy Co', 'items[0][code][]': oat.sku, 'items[0][quantity]': '1', 'items[0][unit_cost]': '1.00' }
    const refused = await submit(client, fixture.users.manager, 'post', '/backoffice/stock/receipts', body, from)
    refused.assertStatus(302)
    assert.deepEqual(refused.flashMessage('inputErrorsBag'), { 'items.0.code': ['Enter this as text'] })
    const typed = { supplier: 'Dairy Co', 'items[0][code]': oat.sku, 'items[0][quantity]': '1e0', 'items[0][unit_cost]': '1.00' }
    const exponent = await submit(client, fixture.users.manager, 'post', '/backoffice/stock/receipts', typed, from)
    assert.deepEqual(Object.keys(exponent.flashMessage('inputErrorsBag')), ['items.0.quantity'])
    assert.equal(await stockOf(oat.id), 2)
    assert.equal(await countRows('stock_receipts', { store_id: fixture.store.id }), 0)
  })

  test('an audit filter that is not one is a 422 at its field with nothing listed, and the CSV a 422 saying why', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    await recordAudit({ action: 'refund', storeId: fixture.store.id, userId: admin.id, data: { reason: 'x' } })
    for (const [query, field, message] of [
      ['action[]=refund', 'action', 'Choose an action from the list'],
      ['action=Not%20an%20action', 'action', 'Choose an action from the list'],
      ['user_id=abc', 'user_id', 'Choose a user from the list'],
      ['user_id=1e1', 'user_id', 'Choose a user from the list'],
      ['user_id[]=1', 'user_id', 'Choose a user from the list'],
    ]) {
      const page = await client.get(`/backoffice/audit?${query}`).loginAs(admin)
      page.assertStatus(422)
      assert.include(page.text(), `<p class="field-error" id="field-${field}-error" data-error-for="${field}">${message}`, query)
      assert.notInclude(page.text(), 'data-testid="audit-entries"', `${query}: not every entry instead`)
      const csv = await client.get(`/backoffice/audit.csv?${query}`).loginAs(admin)
      csv.assertStatus(422)
      assert.equal(csv.text(), `${field}: ${message}`, query)
    }
    // Absent or empty is every entry; a good filter filters
    for (const query of ['action=&user_id=', `action=refund&user_id=${admin.id}`]) {
      const page = await client.get(`/backoffice/audit?${query}`).loginAs(admin)
      page.assertStatus(200)
      assert.include(page.text(), 'data-testid="audit-entries"', query)
    }
  })

  test('the sales and refunds lists: a register, person or status that is not one is a 422 at its field, nothing listed', async ({ client, assert }) => {
    const fixture = await createStore()
    const manager = fixture.users.manager
    for (const [list, query, field, message] of [
      ['sales', 'register_id=abc', 'register_id', 'Choose a register from the list'],
      ['sales', 'user_id[]=1', 'user_id', 'Choose a cashier from the list'],
      ['sales', 'status=everything', 'status', 'Choose a status from the list'],
      ['refunds', 'register_id=0x1', 'register_id', 'Choose a register from the list'],
      ['refunds', 'user_id=abc', 'user_id', 'Choose a person from the list'],
    ]) {
      const page = await client.get(`/backoffice/${list}?${query}`).loginAs(manager)
      page.assertStatus(422)
      assert.include(page.text(), `<p class="field-error" id="field-${field}-error" data-error-for="${field}">${message}`, `${list}?${query}`)
      assert.include(page.text(), 'Nothing is listed for a filter that is not valid', `${list}?${query}`)
    }
    const csv = await client.get('/backoffice/refunds.csv?user_id=abc').loginAs(manager)
    csv.assertStatus(422)
    assert.equal(csv.text(), 'user_id: Choose a person from the list')
    for (const list of ['sales?register_id=&user_id=&status=', 'refunds?register_id=&user_id=']) (await client.get(`/backoffice/${list}`).loginAs(manager)).assertStatus(200)
  })
})
