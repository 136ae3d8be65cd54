import { test } from '@japa/runner'
import { createStore } from '#tests/fixtures'

/* The till's first question on a new device: which register is this? */

test.group('Till: choosing the register', () => {
  test('a cashier asked which register this is has a Sign out there, which signs them out', async ({ client, assert }) => {
    const fixture = await createStore()
    const page = await client.get('/till').loginAs(fixture.users.cashier)
    page.assertStatus(200)
    assert.include(page.text(), 'Which register is this?')
    assert.match(page.text(), /<form method="POST" action="\/logout">\s*<input type='hidden' name='_csrf'/)
    assert.include(page.text(), '>Sign out</button>')

    const out = await client.post('/logout').loginAs(fixture.users.cashier).withCsrfToken().redirects(0)
    out.assertStatus(302)
    assert.equal(out.header('location'), '/login')
  })
})
