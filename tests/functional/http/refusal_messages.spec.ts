import { test } from '@japa/runner'
import Category from '#models/category'
import { apiToken, createStore } from '#tests/fixtures'
import { reopen, submit } from '#tests/functional/backoffice/helpers'

/*
| What a new member of staff reads when a form or the API refuses them: words a person would
| write, said once. A field's refusal was said in the page's alert and again at the field (a
| category's duplicate name), and vine's own words reached the screen ("The name field must be
| defined", "The email field must be a valid email address").
*/

/** How many times a text occurs in a page */
const times = (html: string, text: string) => html.split(text).length - 1

/** The page's error alerts */
const alerts = (html: string) => [...html.matchAll(/<div class="alert alert-error" role="alert">([^<]*)<\/div>/g)].map((m) => m[1])

test.group('Refusals, in words and once', () => {
  test('a refusal of a field is said once, at the field; the alert points there', async ({ client, assert }) => {
    const fixture = await createStore()
    const { manager } = fixture.users
    await Category.create({ storeId: fixture.store.id, name: 'Tea', position: 0 })
    const from = '/backoffice/categories/create'
    const refused = await submit(client, manager, 'post', '/backoffice/categories', { name: 'Tea' }, from)
    refused.assertStatus(302)
    const html: string = (await reopen(client, manager, from, refused)).text()
    assert.equal(times(html, 'A category named &quot;Tea&quot; already exists'), 1)
    assert.match(html, /<p class="field-error" id="field-name-error" data-error-for="name">A category named &quot;Tea&quot; already exists<\/p>/)
    assert.deepEqual(alerts(html), ['Check the highlighted field'])
  })

  test('a refused form says what to do at each field, in words, and the alert only points there', async ({ client, assert }) => {
    const fixture = await createStore()
    const { admin } = fixture.users
    const from = '/backoffice/users/create'
    const refused = await submit(client, admin, 'post', '/backoffice/users', { name: '', email: 'ana', role: 'boss', password: 'short' }, from)
    const html: string = (await reopen(client, admin, from, refused)).text()
    for (const said of ['Enter the name', 'Enter an email address such as ana@example.com', 'Choose the role: admin, manager, cashier, accountant', 'Use at least 10 characters for the password']) {
      assert.equal(times(html, said), 1, said)
    }
    assert.deepEqual(alerts(html), ['Check the highlighted fields'])
    assert.notMatch(html, /The \w+ field|could not be saved/)
  })

  test('a refusal of a field the page does not show is said in the alert', async ({ client, assert }) => {
    const fixture = await createStore()
    const { manager } = fixture.users
    // The list of categories has no form: sent from it, the refusal has nowhere else to be said
    const from = '/backoffice/categories'
    const refused = await submit(client, manager, 'post', '/backoffice/categories', { name: '', color: 'red' }, from)
    const html: string = (await reopen(client, manager, from, refused)).text()
    assert.deepEqual(alerts(html), ['Enter the name', 'A colour is written #rrggbb, such as #1e88e5'])
  })

  test("the API's refusals keep their field and rule, with the same words", async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const refused = await client.post('/api/customers').bearerToken(token).json({ email: 'ana', phone: '12' })
    refused.assertStatus(422)
    assert.deepEqual(refused.body().errors, [
      { field: 'name', rule: 'required', message: 'Enter the name' },
      { field: 'email', rule: 'email', message: 'Enter an email address such as ana@example.com' },
      { field: 'phone', rule: 'regex', message: 'Enter a phone number of 6 to 20 digits, such as +1 555 010 0199' },
    ])
    const long = await client.post('/api/products').bearerToken(token).json({ name: 'x'.repeat(201), sku: 'S-1', price: -1 })
    assert.deepEqual(long.body().errors, [
      { field: 'name', rule: 'maxLength', message: 'Use at most 200 characters for the name' },
      { field: 'price', rule: 'min', message: 'Enter at least 0 for the price' },
    ])
  })
})
