import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { countRows, createProduct, createStore, ledgerSum, stockOf, type TestStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'

/*
| A form posted twice writes once (app/platform/form_submissions.ts): a double click sends the
| same post twice at once, the back button or a reload sends it again later. Each such form
| carries a one-time key, `_submission`, drawn with the page. Before, a delivery posted twice was
| booked twice, two cash-outs were recorded for one, and a close form posted again after the next
| shift had opened closed that shift at once with the old count.
*/

const keyOf = (html: string, nth = 0) => [...html.matchAll(/name="_submission" value="([0-9a-f-]{36})"/g)][nth]?.[1]

function post(client: any, fixture: TestStore, url: string, body: Record<string, string>) {
  return client
    .post(url)
    .form(body)
    .withCsrfToken()
    .loginAs(fixture.users.manager)
    .withCookie('pos_register', String(fixture.register.id))
    .header('referer', url)
    .redirects(0)
}

test.group('Forms posted twice', () => {
  test('a delivery posted twice at once, and again later, is booked once; the same key with other values books nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const milk = await createProduct(fixture, { name: 'Oat Milk', stock: 2 })
    const page = await client.get('/backoffice/stock/receipts/new').loginAs(fixture.users.manager)
    page.assertStatus(200)
    const key = keyOf(page.text())
    assert.isString(key)
    const body = { _submission: key!, supplier: 'Dairy Co', 'items[0][code]': milk.sku, 'items[0][quantity]': '12', 'items[0][unit_cost]': '0.70' }

    const [first, second] = await Promise.all([post(client, fixture, '/backoffice/stock/receipts', body), post(client, fixture, '/backoffice/stock/receipts', body)])
    first.assertStatus(302)
    second.assertStatus(302)
    const receipt = await db.from('stock_receipts').where('store_id', fixture.store.id).firstOrFail()
    assert.deepEqual([first.header('location'), second.header('location')], Array(2).fill(`/backoffice/stock/receipts/${receipt.id}`))
    assert.equal(await stockOf(milk.id), 14)

    // The back button, then Send again
    const later = await post(client, fixture, '/backoffice/stock/receipts', body)
    assert.equal(later.header('location'), `/backoffice/stock/receipts/${receipt.id}`)
    assert.equal(later.flashMessage('notice'), 'This form was sent twice: it was recorded once')
    // The page from the back button, changed and sent: recorded as it was, told to open the form again
    const changed = await post(client, fixture, '/backoffice/stock/receipts', { ...body, 'items[0][quantity]': '13' })
    assert.equal(changed.header('location'), `/backoffice/stock/receipts/${receipt.id}`)
    assert.equal(changed.flashMessage('errorsBag')?.E_FORM, 'This form was already sent, and recorded as it was then: open the form again to send another')
    assert.equal(await countRows('stock_receipts', { store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(milk.id), 14)
    assert.equal(await ledgerSum(milk.id), 14)

    // A refused form frees its key: corrected and sent again (the same page), it is booked
    const refusedKey = keyOf((await client.get('/backoffice/stock/receipts/new').loginAs(fixture.users.manager)).text())!
    const refused = await post(client, fixture, '/backoffice/stock/receipts', { ...body, _submission: refusedKey, 'items[0][quantity]': '-2' })
    assert.deepEqual(refused.flashMessages().inputErrorsBag['items.0.quantity'], ['The quantity received cannot be negative'])
    const corrected = await post(client, fixture, '/backoffice/stock/receipts', { ...body, _submission: refusedKey, 'items[0][quantity]': '3' })
    assert.match(corrected.header('location'), /^\/backoffice\/stock\/receipts\/\d+$/)
    assert.notEqual(corrected.header('location'), `/backoffice/stock/receipts/${receipt.id}`)
    assert.equal(await stockOf(milk.id), 17)
  })

  test('a form whose write committed but whose answer was lost (the server died in between) says it was recorded, not "still being recorded" for ever', async ({ client, assert }) => {
    const fixture = await createStore()
    const milk = await createProduct(fixture, { name: 'Oat Milk', stock: 2 })
    const key = crypto.randomUUID()
    // What a server killed after the write's commit, before keeping its answer, leaves
    const at = dbTimestamp()
    await db.table('idempotency_keys').insert({ user_id: fixture.users.manager.id, key: `form:${key}`, method: 'POST', path: '/backoffice/stock/receipts', request_hash: 'x'.repeat(64), status_code: null, claim_token: crypto.randomUUID(), written_at: at, created_at: at })
    const again = await post(client, fixture, '/backoffice/stock/receipts', { _submission: key, supplier: 'Dairy Co', 'items[0][code]': milk.sku, 'items[0][quantity]': '12', 'items[0][unit_cost]': '0.70' })
    again.assertStatus(302)
    assert.equal(again.flashMessage('errorsBag')?.E_FORM, 'This form was recorded, but the page after it was lost: look at the list before sending it again')
    assert.equal(await stockOf(milk.id), 2)
  }).timeout(30_000)

  test('an adjustment and a transfer posted twice are made once', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const gum = await createProduct(fixture, { name: 'Gum', sku: `GUM-${fixture.tag}`, stock: 20 })
    await createProduct(other, { name: 'Gum', sku: `GUM-${fixture.tag}`, stock: 0 })
    const adjust = { _submission: keyOf((await client.get('/backoffice/stock/adjustments/new').loginAs(fixture.users.manager)).text())!, reason: 'damaged', 'items[0][code]': gum.sku, 'items[0][quantity]': '-2' }
    await Promise.all([post(client, fixture, '/backoffice/stock/adjustments', adjust), post(client, fixture, '/backoffice/stock/adjustments', adjust)])
    assert.equal(await stockOf(gum.id), 18)
    const send = { _submission: keyOf((await client.get('/backoffice/stock/transfers/new').loginAs(fixture.users.manager)).text())!, to_store_id: String(other.store.id), 'items[0][code]': gum.sku, 'items[0][quantity]': '4' }
    const sent = await Promise.all([post(client, fixture, '/backoffice/stock/transfers', send), post(client, fixture, '/backoffice/stock/transfers', send)])
    assert.equal(sent[0].header('location'), sent[1].header('location'))
    assert.equal(await countRows('stock_transfers', { from_store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(gum.id), 14)
    assert.equal(await ledgerSum(gum.id), 14)
  })

  test('a cash-in posted twice is recorded once; a close form sent again after the next shift opened closes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const shiftPage = await client.get('/till/shift').loginAs(fixture.users.manager).withCookie('pos_register', String(fixture.register.id))
    shiftPage.assertStatus(200)
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()
    assert.include(shiftPage.text(), `name="shift_id" value="${shift.id}"`)
    const cashIn = { _submission: keyOf(shiftPage.text())!, shift_id: String(shift.id), kind: 'cash_in', amount: '20.00', reason: 'Change from the bank' }
    const moved = await Promise.all([post(client, fixture, '/till/shift/movements', cashIn), post(client, fixture, '/till/shift/movements', cashIn)])
    assert.deepEqual(moved.map((r: any) => r.header('location')), ['/till/shift', '/till/shift'])
    assert.equal(await countRows('cash_movements', { shift_id: shift.id }), 1)

    const closePage = await client.get('/till/shift/close').loginAs(fixture.users.manager).withCookie('pos_register', String(fixture.register.id))
    const close = { _submission: keyOf(closePage.text())!, shift_id: String(shift.id), 'counts[2000]': '1' }
    const closed = await post(client, fixture, '/till/shift/close', close)
    assert.equal(closed.header('location'), `/till/shift/${shift.id}/z`)
    const open = await post(client, fixture, '/till/shift/open', { _submission: keyOf((await client.get('/till/shift/open').loginAs(fixture.users.manager).withCookie('pos_register', String(fixture.register.id))).text())!, float: '50.00' })
    assert.equal(open.header('location'), '/till')
    const next = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()

    // The same close form again (the back button): the first close's Z, nothing closed
    const again = await post(client, fixture, '/till/shift/close', close)
    assert.equal(again.header('location'), `/till/shift/${shift.id}/z`)
    // A copy of the old close form with a new key (another tab): refused, the new shift stays open
    const stale = await post(client, fixture, '/till/shift/close', { ...close, _submission: crypto.randomUUID() })
    assert.include(JSON.stringify(stale.flashMessages()), 'This form was for a shift that is closed now')
    const staleCash = await post(client, fixture, '/till/shift/movements', { ...cashIn, _submission: crypto.randomUUID() })
    assert.include(JSON.stringify(staleCash.flashMessages()), 'This form was for a shift that is closed now')
    assert.equal((await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()).id, next.id)
    assert.equal(await countRows('z_reports', { register_id: fixture.register.id }), 1)
    assert.equal(await countRows('cash_movements', { shift_id: next.id }), 0)
  })
})
