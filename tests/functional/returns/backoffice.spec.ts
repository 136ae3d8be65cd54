import { test } from '@japa/runner'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, stockOf, ledgerSum, countRows } from '#tests/fixtures'
import { sellFor, submit, reopen } from '#tests/functional/backoffice/helpers'
import { recordAudit } from '#platform/audit_service'
import { neutralise } from '#platform/csv_writer'

/*
| The back office: a manager voids a sale from its page; admins read, filter and export the
| audit log, and verify the sales record (the same verifier as node ace audit:verify).
*/

test.group('Back office: voids', () => {
  test('a manager voids a sale from its page; the page then shows who and why', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const page = `/backoffice/sales/${sale.id}`

    const asAccountant = await client.get(page).loginAs(fixture.users.accountant)
    assert.notInclude(asAccountant.text(), 'Void this sale')
    const asManager = await client.get(page).loginAs(fixture.users.manager)
    assert.include(asManager.text(), 'Void this sale')

    const denied = await submit(client, fixture.users.accountant, 'post', `${page}/void`, { reason: 'No' }, page)
    denied.assertStatus(403)

    const noReason = await submit(client, fixture.users.manager, 'post', `${page}/void`, { reason: ' ' }, page)
    noReason.assertStatus(302)
    const again = await reopen(client, fixture.users.manager, page, noReason)
    assert.include(again.text(), 'Give a reason')
    assert.equal((await db.from('sales').where('id', sale.id).first()).status, 'completed')

    const done = await submit(client, fixture.users.manager, 'post', `${page}/void`, { reason: 'Customer <left>' }, page)
    done.assertStatus(302)
    assert.equal(done.header('location'), page)
    const shown = await client.get(page).loginAs(fixture.users.manager)
    assert.include(shown.text(), 'data-testid="void-info"')
    assert.include(shown.text(), 'Customer &lt;left&gt;')
    assert.include(shown.text(), fixture.users.manager.name)
    assert.notInclude(shown.text(), 'Void this sale')
    assert.equal(await stockOf(tea.id), 10)
    assert.equal(await ledgerSum(tea.id), 10)
  })
})

test.group('Back office: audit log', () => {
  test('admins only; filter by action and user; the CSV neutralises formulas', async ({ client, assert }) => {
    const fixture = await createStore()
    await recordAudit({ action: 'price_override', storeId: fixture.store.id, userId: fixture.users.cashier.id, subjectType: 'sale', subjectId: 1, data: { note: '=HYPERLINK("x")' } })
    await recordAudit({ action: 'refund', storeId: fixture.store.id, userId: fixture.users.manager.id, data: { reason: '@SUM(A1)' } })

    ;(await client.get('/backoffice/audit').loginAs(fixture.users.manager)).assertStatus(403)
    ;(await client.get('/backoffice/audit.csv').loginAs(fixture.users.accountant)).assertStatus(403)
    ;(await client.get('/backoffice/audit/chain').loginAs(fixture.users.manager)).assertStatus(403)

    const all = await client.get('/backoffice/audit').loginAs(fixture.users.admin)
    all.assertStatus(200)
    assert.include(all.text(), 'price_override')
    const filtered = await client.get(`/backoffice/audit?action=refund&user_id=${fixture.users.manager.id}`).loginAs(fixture.users.admin)
    assert.include(filtered.text(), '@SUM(A1)')
    assert.notInclude(filtered.text(), 'HYPERLINK')

    const csv = await client.get('/backoffice/audit.csv?action=price_override').loginAs(fixture.users.admin)
    csv.assertStatus(200)
    assert.include(csv.header('content-type'), 'text/csv')
    const rows = Papa.parse<string[]>(csv.text().trim()).data
    assert.deepEqual(rows[0], ['id', 'time_utc', 'action', 'user_id', 'user', 'subject_type', 'subject_id', 'ip', 'data', 'details'])
    assert.lengthOf(rows, 2)
    assert.equal(rows[1][2], 'price_override')
    assert.equal(rows[1][4], fixture.users.cashier.name)
    assert.equal(rows[1][8], `{"note":"=HYPERLINK(\\"x\\")"}`)
    assert.equal(rows[1][9], 'note: =HYPERLINK("x")')
    assert.equal(neutralise('=1+1'), "'=1+1")
    // A plain negative amount stays a number a spreadsheet can sum; anything more after the sign is text
    assert.equal(neutralise('-2'), '-2')
    assert.equal(neutralise('-2+3'), "'-2+3")
    assert.equal(neutralise('+2'), "'+2")
    assert.equal(neutralise('@x'), "'@x")
    assert.equal(neutralise('plain'), 'plain')
  })

  test('the sales record page runs the verifier', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 10 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    const intact = await client.get('/backoffice/audit/chain').loginAs(fixture.users.admin)
    intact.assertStatus(200)
    assert.include(intact.text(), 'intact')
    await db.from('sale_items').where('sale_id', sale.id).update({ quantity: 5 })
    const broken = await client.get('/backoffice/audit/chain').loginAs(fixture.users.admin)
    assert.include(broken.text(), 'broken')
    assert.include(broken.text(), `#${sale.number} (id ${sale.id}) was altered`)
    assert.equal(await countRows('sales', { id: sale.id }), 1)
  })
})
