import { test } from '@japa/runner'
import User from '#models/user'
import { createStore } from '#tests/fixtures'

test.group('First-run setup', () => {
  test('once a store exists, /setup cannot create another admin', async ({ client, assert }) => {
    await createStore()
    const page = await client.get('/setup').redirects(0)
    page.assertHeader('location', '/login')

    const email = `intruder.${Date.now()}@test.local`
    const response = await client
      .post('/setup')
      .form({ store_name: 'Mine now', currency: 'USD', time_zone: 'UTC', name: 'Intruder', email, password: 'long-enough-pass' })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/login')
    assert.isNull(await User.findBy('email', email))
  })
})
