import { test } from '@japa/runner'
import limiter from '@adonisjs/limiter/services/main'
import { apiToken, cashIntoDrawer, countRows, createProduct, createStore, PINS, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| A PIN is 4 digits: 10,000 guesses at most. The limit of 5 wrong PINs per till address held one
| till, but guesses spread over addresses (behind the store's nginx each client address counts
| apart; a phone's or a home line's IPv6 addresses are plenty) were never refused: a cashier could
| find a manager's PIN through the API and refund cash without a receipt in the manager's name, or
| an admin's and switch in at the till as them. The wrong PINs typed under one signed-in person
| (their session or token) are now also counted across every address: 10 in 15 minutes, 40 in a
| day. Counted by the one asking, so that a cashier's wrong PINs never block the other tills.
*/

/** A client address as the trusted proxy (loopback, TRUSTED_PROXIES) says it */
const from = (n: number) => `203.0.113.${n}`

/** Wrong PINs, two from each address (under the 5 each address may try), ten in all */
const wrongGuesses = Array.from({ length: 10 }, (_, i) => ({ pin: String(5000 + i), address: from(1 + Math.floor(i / 2)) }))

function switchTo(client: any, fixture: TestStore, userId: number, pin: string, address: string, asker = fixture.users.cashier) {
  return client
    .post('/till/switch')
    .form({ user_id: userId, pin })
    .loginAs(asker)
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
    // ... and so is any other PIN the same cashier types
    ;(await switchTo(client, fixture, fixture.users.manager.id, PINS.manager, from(51))).assertStatus(429)
    // Someone else signed in at another till is not held up by it: the admin's own PIN, asked by the manager
    ;(await switchTo(client, fixture, admin.id, PINS.admin, from(52), fixture.users.manager)).assertHeader('hx-redirect', '/till')
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
    // The store's approvals go on for everyone else: the manager's own token refunds with the PIN
    const managerToken = await apiToken(client, fixture.users.manager)
    const approved = await client
      .post('/api/refunds')
      .bearerToken(managerToken)
      .header('X-Forwarded-For', from(61))
      .json({ items: [{ product_id: product.id, quantity: 1 }], reason: 'Returned', manager_pin: PINS.manager, register_id: fixture.register.id })
    approved.assertStatus(201)
  })

  test('a right PIN does not clear the wrong ones counted across addresses, and one address’s own limit is unchanged', async ({ client }) => {
    const fixture = await createStore()
    const { admin } = fixture.users
    for (const guess of wrongGuesses.slice(0, 8)) (await switchTo(client, fixture, admin.id, guess.pin, guess.address)).assertStatus(422)
    // A right PIN typed at the cashier's till does not give the guesser ten more
    ;(await switchTo(client, fixture, admin.id, PINS.admin, from(70))).assertHeader('hx-redirect', '/till')
    ;(await switchTo(client, fixture, admin.id, '6001', from(71))).assertStatus(422)
    ;(await switchTo(client, fixture, admin.id, '6002', from(72))).assertStatus(422)
    ;(await switchTo(client, fixture, admin.id, PINS.admin, from(73))).assertStatus(429)

    // One address: five wrong PINs, then refused, as before
    const other = await createStore()
    for (const pin of ['7000', '7001', '7002', '7003', '7004']) (await switchTo(client, other, other.users.manager.id, pin, from(80))).assertStatus(422)
    ;(await switchTo(client, other, other.users.manager.id, PINS.manager, from(80))).assertStatus(429)
  })

  test('forty wrong PINs in a day block the one asking for an hour, beyond the quarter-hour count', async ({ client, assert }) => {
    const fixture = await createStore()
    const { cashier, admin } = fixture.users
    // 39 of the day's count already spent (hours ago: the quarter-hour count is clear)
    const daily = limiter.use({ requests: 40, duration: '24 hours', blockDuration: '1 hour' })
    for (let i = 0; i < 39; i++) await daily.increment(`pin-asked-by-daily:${cashier.id}`)
    ;(await switchTo(client, fixture, admin.id, '6100', from(90))).assertStatus(422)
    const blocked = await switchTo(client, fixture, admin.id, PINS.admin, from(91))
    blocked.assertStatus(429)
    assert.match(blocked.text(), /Too many wrong PINs: try again in (60|59) minute/)
  })
})
