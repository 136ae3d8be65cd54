import { test } from '@japa/runner'
import { apiToken, cashIntoDrawer, countRows, createProduct, createStore, PINS, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| A PIN is 4 digits: 10,000 guesses at most. The limit of 5 wrong PINs per till address held one
| till, but guesses spread over addresses (behind the store's nginx each client address counts
| apart; a phone's or a home line's IPv6 addresses are plenty) were never refused: a cashier could
| find a manager's PIN through the API and refund cash without a receipt in the manager's name, or
| an admin's and switch in at the till as them. Wrong PINs for one person (or for a store's
| approvals) are now also counted across every address.
*/

/** A client address as the trusted proxy (loopback, TRUSTED_PROXIES) says it */
const from = (n: number) => `203.0.113.${n}`

/** Wrong PINs, two from each address (under the 5 each address may try), ten in all */
const wrongGuesses = Array.from({ length: 10 }, (_, i) => ({ pin: String(5000 + i), address: from(1 + Math.floor(i / 2)) }))

function switchTo(client: any, fixture: TestStore, userId: number, pin: string, address: string) {
  return client
    .post('/till/switch')
    .form({ user_id: userId, pin })
    .loginAs(fixture.users.cashier)
    .withCsrfToken()
    .withCookie(REGISTER_COOKIE, String(fixture.register.id))
    .header('HX-Request', 'true')
    .header('X-Forwarded-For', address)
}

test.group('PIN guesses spread over client addresses', () => {
  test('a cashier guessing the admin’s PIN to switch in is stopped after ten wrong ones, whichever addresses they come from', async ({ client, assert }) => {
    const fixture = await createStore()
    const { admin } = fixture.users
    for (const guess of wrongGuesses) (await switchTo(client, fixture, admin.id, guess.pin, guess.address)).assertStatus(422)
    // The right PIN from an address never used: still refused while the person's count is full
    const blocked = await switchTo(client, fixture, admin.id, PINS.admin, from(50))
    blocked.assertStatus(429)
    assert.match(blocked.text(), /Too many wrong PINs: try again in \d+ minute/)
    assert.notExists(blocked.header('hx-redirect'))
    // Another person's switch is not held up by it
    ;(await switchTo(client, fixture, fixture.users.manager.id, PINS.manager, from(51))).assertHeader('hx-redirect', '/till')
  })

  test('a cashier guessing a manager’s PIN through the API for a return without a receipt is stopped after ten wrong ones, and no cash leaves the drawer', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 5000 })
    await cashIntoDrawer(fixture, 20_000)
    const token = await apiToken(client, fixture.users.cashier)
    const refund = (pin: string, address: string) =>
      client
        .post('/api/refunds')
        .bearerToken(token)
        .header('X-Forwarded-For', address)
        .json({ items: [{ product_id: product.id, quantity: 1 }], reason: 'Returned', manager_pin: pin, register_id: fixture.register.id })
    for (const guess of wrongGuesses) {
      const wrong = await refund(guess.pin, guess.address)
      wrong.assertStatus(422)
      assert.equal(wrong.body().errors[0].code, 'wrong_pin')
    }
    const blocked = await refund(PINS.manager, from(60))
    blocked.assertStatus(429)
    assert.deepInclude(blocked.body().errors[0], { code: 'too_many_attempts', field: 'manager_pin' })
    assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 0)
  })

  test('a right PIN does not clear the wrong ones counted across addresses, and one address’s own limit is unchanged', async ({ client }) => {
    const fixture = await createStore()
    const { admin } = fixture.users
    for (const guess of wrongGuesses.slice(0, 8)) (await switchTo(client, fixture, admin.id, guess.pin, guess.address)).assertStatus(422)
    // The admin switching in themselves (from the till's own address) does not give the guesser ten more
    ;(await switchTo(client, fixture, admin.id, PINS.admin, from(70))).assertHeader('hx-redirect', '/till')
    ;(await switchTo(client, fixture, admin.id, '6001', from(71))).assertStatus(422)
    ;(await switchTo(client, fixture, admin.id, '6002', from(72))).assertStatus(422)
    ;(await switchTo(client, fixture, admin.id, PINS.admin, from(73))).assertStatus(429)

    // One address: five wrong PINs, then refused, as before
    const other = await createStore()
    for (const pin of ['7000', '7001', '7002', '7003', '7004']) (await switchTo(client, other, other.users.manager.id, pin, from(80))).assertStatus(422)
    ;(await switchTo(client, other, other.users.manager.id, PINS.manager, from(80))).assertStatus(429)
  })
})
