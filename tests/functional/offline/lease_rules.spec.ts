import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { countRows, createStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'
import { TestDevice } from '#tests/functional/offline/device'

/*
| Who may take a register's offline lease (register_lease_service.ts, docs/offline-sync.md). Any
| seller of the store may, for a register of that store that no device holds, under a device id the
| server has never seen: that is how a new till (or a browser whose storage was cleared) starts,
| and it needs no manager, as opening the till on a register needs none. It is audited with the
| person and the device, and the Offline sales page shows who holds it. What a seller may not do:
| take a register of another store, or one another device holds (only a manager's release frees it).
*/

const registerRow = (id: number) => db.from('registers').where('id', id).select('lease_device_id', 'lease_user_id').first()

test.group('The offline lease: who may take a register', () => {
  test('a cashier cannot lease another store\u2019s register, also when they work in that store too', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    // A name of its own: both stores' registers are "Register 1"
    await db.from('registers').where('id', b.register.id).update({ name: 'Back Counter B' })
    const intruder = new TestDevice(a, b.register.id)
    const refused = await intruder.takeLease(client)
    refused.assertStatus(422)
    assert.deepInclude(refused.body().errors[0], { field: 'register_id', code: 'unknown_register' })
    assert.notInclude(refused.body().errors[0].message, b.store.name)
    assert.notInclude(refused.body().errors[0].message, 'Back Counter B')

    // On store B's staff as well: the till works in the session's store (the home store: a cashier switches none)
    await db.table('store_users').insert({ store_id: b.store.id, user_id: a.users.cashier.id, created_at: dbTimestamp() })
    ;(await intruder.takeLease(client)).assertStatus(422)
    const switched = await client.post('/stores/switch').form({ store_id: String(b.store.id) }).loginAs(a.users.cashier).withCsrfToken().redirects(0)
    switched.assertStatus(403)
    assert.isNull((await registerRow(b.register.id)).lease_device_id)
  })

  test('a register another device holds is not taken over, by a cashier or a manager: only a release frees it', async ({ client, assert }) => {
    const fixture = await createStore()
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)
    for (const user of [fixture.users.cashier, fixture.users.manager]) {
      const thief = new TestDevice(fixture)
      const refused = await thief.as(client, 'post', '/till/offline/lease', user).json({ device_id: thief.deviceId, register_id: fixture.register.id, pending: 0 })
      refused.assertStatus(409)
      assert.equal(refused.body().errors[0].code, 'register_leased')
      assert.equal((await registerRow(fixture.register.id)).lease_device_id, holder.deviceId)
    }
    // A manager of another store cannot release it either
    const other = await createStore()
    const foreign = await client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(other.users.manager).withCsrfToken().header('referer', '/backoffice/offline').redirects(0)
    // A form's refusal goes back to its page with the message ("does not exist in your store")
    assert.include(JSON.stringify(foreign.flashMessages()), 'does not exist in your store')
    assert.equal((await registerRow(fixture.register.id)).lease_device_id, holder.deviceId)
  })

  test('a free register of the cashier\u2019s own store under a device id never seen: taken, audited with person and device, listed for managers', async ({ client, assert }) => {
    const fixture = await createStore()
    const second = await db.from('registers').where({ store_id: fixture.store.id, name: 'Register 2' }).first()
    const deviceId = randomUUID()
    const taken = await client
      .post('/till/offline/lease')
      .loginAs(fixture.users.cashier)
      .withCsrfToken()
      .json({ device_id: deviceId, register_id: second.id, pending: 0 })
    taken.assertStatus(200)
    assert.deepInclude(await registerRow(second.id), { lease_device_id: deviceId })
    const audit = await db.from('audit_logs').where({ action: 'register_lease_taken', store_id: fixture.store.id, subject_id: second.id }).first()
    assert.equal(Number(audit.user_id), fixture.users.cashier.id)
    assert.include(String(audit.data), deviceId)

    const page = await client.get('/backoffice/offline').loginAs(fixture.users.manager)
    page.assertStatus(200)
    assert.include(page.text(), fixture.users.cashier.name)
    ;(await client.post(`/backoffice/offline/registers/${second.id}/release`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)).assertStatus(302)
    assert.isNull((await registerRow(second.id)).lease_device_id)
    assert.equal(await countRows('audit_logs', { action: 'register_lease_released', store_id: fixture.store.id }), 1)
  })
})
