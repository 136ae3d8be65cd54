import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Papa from 'papaparse'
import { createStore, PASSWORD } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'

/*
| What one store's admin sees of another store in a chain (found by an audit): the report of stores
| side by side holds only the stores the admin works in, and a failed sign-in of a known user is
| logged to that user's store, not to every store's audit log.
*/

test.group('Stores: what another store’s admin sees', () => {
  test('the stores report lists only the stores the admin works in', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const stores = async (admin: typeof a.users.admin) => {
      const csv = await client.get('/backoffice/reports/csv/stores').loginAs(admin)
      csv.assertStatus(200)
      return Papa.parse<string[]>(csv.text().trim()).data.slice(1).map((row) => row[0])
    }
    const mine = await stores(a.users.admin)
    assert.include(mine, a.store.name)
    assert.notInclude(mine, b.store.name)
    const page = await client.get('/backoffice/reports').loginAs(a.users.admin)
    assert.notInclude(page.text(), b.store.name)

    // An admin who also works in store B sees both
    await db.table('store_users').insert({ store_id: b.store.id, user_id: a.users.admin.id, created_at: dbTimestamp() })
    assert.includeMembers(await stores(a.users.admin), [a.store.name, b.store.name])
  })

  test('a known user’s failed sign-in is in their store’s audit log only; an unknown email is in every store’s', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const unknown = `nobody.${b.tag}@test.local`
    for (const email of [b.users.manager.email, unknown]) {
      const failed = await client.post('/api/auth/login').json({ email, password: `${PASSWORD}-wrong` })
      failed.assertStatus(401)
    }
    const logOf = async (fixture: typeof a) => (await client.get('/backoffice/audit.csv').loginAs(fixture.users.admin)).text()
    const seenByA = await logOf(a)
    const seenByB = await logOf(b)
    assert.notInclude(seenByA, b.users.manager.email)
    assert.include(seenByB, b.users.manager.email)
    assert.include(seenByA, unknown)
    assert.include(seenByB, unknown)
    const entry = await db.from('audit_logs').where('action', 'login_failed').where('data', 'like', `%${b.users.manager.email}%`).first()
    assert.deepEqual([Number(entry.store_id), Number(entry.user_id)], [b.store.id, b.users.manager.id])
  })
})
