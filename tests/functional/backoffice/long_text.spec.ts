import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { CUT_NOTE } from '#platform/flashed_input'

/*
| A refused form goes back with its errors and its input in the session, which is a cookie. A
| 10,000-character text (pasted by mistake) made that cookie larger than a browser keeps (4 KB):
| the browser dropped it and the form came back empty, with no message. The input kept is now cut
| to fit; the message always comes back.
*/

const LONG = 'Lorem ipsum dolor sit amet '.repeat(400)
// Three bytes a character in UTF-8: under the budget in characters, over it in bytes
const WIDE = '店'.repeat(1400)

const FORMS: { url: string; table: string; field: string; body: Record<string, unknown> }[] = [
  { url: '/backoffice/products', table: 'products', field: 'name', body: { sku: 'LONG-1', barcodes: '', category_id: '', price: '1.00', cost: '', tax_class: 'standard', stock: '0', active: ['', 'on'] } },
  { url: '/backoffice/categories', table: 'categories', field: 'name', body: { position: '1' } },
  { url: '/backoffice/customers', table: 'customers', field: 'notes', body: { name: 'Long Notes', email: '', phone: '' } },
]

test.group('Back office: a pasted novel in a text field', () => {
  for (const form of FORMS) {
    test(`${form.url}: ${form.field} of ${LONG.length} characters is refused on its field, and the answer's cookies fit a browser`, async ({ client, assert }) => {
      const fixture = await createStore()
      const before = await db.from(form.table).where('store_id', fixture.store.id).count('* as n').first()
      const refused = await submit(client, fixture.users.admin, 'post', form.url, { ...form.body, [form.field]: LONG }, `${form.url}/create`)
      refused.assertStatus(302)
      refused.assertHeader('location', `${form.url}/create`)
      for (const cookie of [refused.headers()['set-cookie'] ?? []].flat()) {
        assert.isBelow(Buffer.byteLength(String(cookie)), 4096, String(cookie).slice(0, 40))
      }
      assert.property(refused.flashMessage('inputErrorsBag'), form.field)
      // What was typed comes back cut, not lost
      assert.equal(refused.flashMessages()[form.field], LONG.slice(0, 120))
      const after = await db.from(form.table).where('store_id', fixture.store.id).count('* as n').first()
      assert.equal(Number(after.n), Number(before.n))
    })
  }

  test('a long text within its limit, cut to bring back a form refused for another field, says so at its field', async ({ client, assert }) => {
    const fixture = await createStore()
    const notes = 'Allergic to peanuts; delivers on Tuesdays. '.repeat(35)
    assert.isBelow(notes.length, 2000)
    const refused = await submit(client, fixture.users.admin, 'post', '/backoffice/customers', { name: 'Cut Notes', email: 'not-an-email', phone: '', notes }, '/backoffice/customers/create')
    refused.assertHeader('location', '/backoffice/customers/create')
    for (const cookie of [refused.headers()['set-cookie'] ?? []].flat()) assert.isBelow(Buffer.byteLength(String(cookie)), 4096)
    const errors = refused.flashMessage('inputErrorsBag')
    assert.property(errors, 'email')
    assert.deepEqual(errors.notes, [CUT_NOTE])
    assert.equal(refused.flashMessages().notes, notes.slice(0, 120))
    // A field refused for its own length keeps its own message only
    const long = await submit(client, fixture.users.admin, 'post', '/backoffice/customers', { name: 'Long Notes', email: '', phone: '', notes: LONG }, '/backoffice/customers/create')
    assert.notInclude(long.flashMessage('inputErrorsBag').notes, CUT_NOTE)
  })

  test('a long text in a wide script is measured in bytes, as the cookie is', async ({ client, assert }) => {
    const fixture = await createStore()
    const refused = await submit(client, fixture.users.admin, 'post', '/backoffice/categories', { name: WIDE, position: '1' }, '/backoffice/categories/create')
    refused.assertHeader('location', '/backoffice/categories/create')
    for (const cookie of [refused.headers()['set-cookie'] ?? []].flat()) assert.isBelow(Buffer.byteLength(String(cookie)), 4096)
    assert.property(refused.flashMessage('inputErrorsBag'), 'name')
    assert.equal(refused.flashMessages().name, WIDE.slice(0, 120))
  })

  // The stock forms' lines are read by hand: a pasted 5,000-character code came back in the
  // message ("No product with SKU or barcode "xxxx…""), the cookie was dropped, and the form
  // came back empty without a word
  for (const url of ['/backoffice/stock/adjustments', '/backoffice/stock/receipts']) {
    test(`${url}: a line's code of 5,000 characters is refused at its field, and the answer's cookies fit a browser`, async ({ client, assert }) => {
      const fixture = await createStore()
      const body = { reason: 'damaged', supplier: 'Acme', 'items[0][code]': 'x'.repeat(5000), 'items[0][quantity]': '1', 'items[0][unit_cost]': '1.00' }
      const refused = await submit(client, fixture.users.admin, 'post', url, body, `${url}/new`)
      refused.assertStatus(302)
      refused.assertHeader('location', `${url}/new`)
      for (const cookie of [refused.headers()['set-cookie'] ?? []].flat()) assert.isBelow(Buffer.byteLength(String(cookie)), 4096, String(cookie).slice(0, 40))
      assert.deepEqual(refused.flashMessage('inputErrorsBag')['items.0.code'], ['Use at most 64 characters for the SKU or barcode'])
    })
  }
})
