import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { createStore, type TestStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { TILL_DEVICE_COOKIE } from '#staff/actor'
import { TestDevice } from '#tests/functional/offline/device'

/*
| A register another till holds (its offline lease) refuses this till's payments (409
| register_leased). A second browser on it used to fill a whole cart and learn that only at Pay.
| Now the register chooser says which registers are in use on another till, and the till page says
| it at the top of the cart from its first paint, with the ways out. The holder's own page (its
| device cookie, written by the offline till) says nothing; neither does a register nobody holds.
*/

/** A page load as a browser makes it: the device id only in the cookie the offline till writes (raw text) */
function page(client: any, fixture: TestStore, url: string, options: { device?: string; register?: number; user?: 'cashier' | 'manager' } = {}) {
  const request = client.get(url).loginAs(fixture.users[options.user ?? 'cashier']).redirects(0)
  if (options.register) request.withCookie(REGISTER_COOKIE, String(options.register))
  if (options.device) request.cookiesJar[TILL_DEVICE_COOKIE] = { name: TILL_DEVICE_COOKIE, value: options.device }
  return request
}

/** The holder last heard of `ago` before now (its till renews every minute while online) */
async function lastHeard(fixture: TestStore, ago: { minutes?: number; days?: number }) {
  await db.from('registers').where('id', fixture.register.id).update({ lease_seen_at: dbTimestamp(DateTime.utc().minus(ago)) })
}

/** The queries the server sends that read the registers table while `run` runs (the test server is in this process) */
async function registerReads(run: () => Promise<unknown>) {
  const client = db.connection().getWriteClient()
  const sqls: string[] = []
  const seen = (query: { sql: string }) => sqls.push(query.sql)
  client.on('query', seen)
  try {
    await run()
  } finally {
    client.off('query', seen)
  }
  return sqls.filter((sql) => /from [`"]?registers[`"]?/i.test(sql)).length
}

test.group('Till: a register another till holds, said before the first scan', () => {
  test('the chooser says which register is in use on another till, by whom and when last heard of, and it is still choosable', async ({ client, assert }) => {
    const fixture = await createStore()
    const cashier = fixture.users.cashier.name

    // Nobody holds a register: the chooser is as it was
    const free = await page(client, fixture, '/till')
    free.assertStatus(200)
    assert.include(free.text(), 'Which register is this?')
    assert.notInclude(free.text(), 'In use on another till')

    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)
    await lastHeard(fixture, { minutes: 3 })
    // A browser that is not the holder (another device's cookie, or none yet)
    for (const device of [randomUUID(), undefined]) {
      const held = await page(client, fixture, '/till', { device })
      held.assertStatus(200)
      const notes = [...held.text().matchAll(/data-testid="register-in-use">([\s\S]*?)<\/p>/g)].map((m) => m[1].replace(/\s+/g, ' ').trim())
      assert.lengthOf(notes, 1, 'Register 2 is free')
      assert.include(notes[0], `In use on another till: ${cashier}, last heard 3 minutes ago.`)
      assert.include(notes[0], 'this till can scan but cannot take payment until a manager releases it under Offline sales')
      // Its button names the note, and stays a choice
      assert.match(held.text(), new RegExp(`value="${fixture.register.id}" aria-describedby="register-in-use-${fixture.register.id}">Register 1<`))
    }
    // The holder's own browser is not told its own register is in use elsewhere
    const own = await page(client, fixture, '/till', { device: holder.deviceId })
    assert.notInclude(own.text(), 'In use on another till')

    // Chosen anyway (a manager may need it): the till is set to it
    const chosen = await client.post('/till/register').loginAs(fixture.users.cashier).withCsrfToken().form({ register_id: String(fixture.register.id) }).redirects(0)
    chosen.assertStatus(302)
    assert.equal(chosen.header('location'), '/till')
    assert.equal(chosen.cookie(REGISTER_COOKIE)?.value, String(fixture.register.id))

    // The banner's way out: the chooser again, on a till already set to a register
    const again = await page(client, fixture, '/till/register', { register: fixture.register.id })
    again.assertStatus(200)
    assert.include(again.text(), 'Register 1 (this till now)</button>')
    assert.include(again.text(), `In use on another till: ${cashier}`)

    // Released by a manager: nobody's
    ;(await holder.release(client)).assertStatus(302)
    assert.notInclude((await page(client, fixture, '/till')).text(), 'In use on another till')
  })

  test('the till page: a banner at the top of the cart for another device, none for the holder, a free register or a released one', async ({ client, assert }) => {
    const fixture = await createStore()
    const register = fixture.register.id
    const banner = (html: string) => html.match(/<div id="register-held"[\s\S]*?<\/div>/)?.[0].replace(/\s+/g, ' ')

    const nobody = await page(client, fixture, '/till', { register, device: randomUUID() })
    nobody.assertStatus(200)
    assert.isUndefined(banner(nobody.text()))

    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)
    assert.isUndefined(banner((await page(client, fixture, '/till', { register, device: holder.deviceId })).text()), 'the holder')

    for (const device of [randomUUID(), undefined]) {
      const other = await page(client, fixture, '/till', { register, device })
      other.assertStatus(200)
      const shown = banner(other.text())!
      assert.exists(shown)
      assert.include(shown, `Register 1 is in use on another till</strong>: ${fixture.users.cashier.name}&#x27;s, last heard less than a minute ago (at `)
      assert.include(shown, 'this one can scan but cannot take payment here')
      assert.include(shown, '<a href="/till/register">choose another register</a>')
      assert.include(shown, 'ask a manager to release this one under Offline sales.')
      // A cashier cannot open Offline sales: only named
      assert.notInclude(shown, 'href="/backoffice/offline"')
      // Before the cart, which a scan's answer redraws without it
      assert.isBelow(other.text().indexOf('id="register-held"'), other.text().indexOf('id="cart-panel"'))
    }
    // A manager on that till gets the page itself
    assert.include(banner((await page(client, fixture, '/till', { register, user: 'manager' })).text()), '<a href="/backoffice/offline">Offline sales</a>')

    // A lease never expires by itself: a till unheard of for two days still holds the register (the
    // server still refuses payments here), so the banner says so, and how long ago
    await lastHeard(fixture, { days: 2 })
    assert.include(banner((await page(client, fixture, '/till', { register })).text()), 'last heard 2 days ago (on ')

    // Released by a manager (the till lost or broken): gone at the next page load
    ;(await holder.release(client)).assertStatus(302)
    assert.isUndefined(banner((await page(client, fixture, '/till', { register })).text()))
  })

  test('the first page reads the register once as before; only a register held elsewhere costs one query more (the holder\u2019s name)', async ({ client, assert }) => {
    const fixture = await createStore()
    const register = fixture.register.id
    const holder = new TestDevice(fixture)
    const load = (device?: string) => page(client, fixture, '/till', { register, device }).then((r: any) => r.assertStatus(200))
    await load() // warm (session, templates)
    const free = await registerReads(() => load(randomUUID()))
    assert.isAtLeast(free, 1)
    ;(await holder.takeLease(client)).assertStatus(200)
    assert.equal(await registerReads(() => load(holder.deviceId)), free, 'the holder')
    assert.equal(await registerReads(() => load(randomUUID())), free + 1, 'another device')
  })
})
