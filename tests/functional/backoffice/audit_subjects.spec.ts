import { test } from '@japa/runner'
import { createStore } from '#tests/fixtures'
import { recordAudit } from '#platform/audit_service'

/*
| An audit entry whose subject has a kind and no id (a plugin: its id is a name, kept in the
| entry's data) read "plugin null" in the Subject column of the audit log.
*/
test.group('Audit log: subjects', () => {
  test('a subject without an id reads its kind alone, never "null"; one with an id reads both', async ({ client, assert }) => {
    const fixture = await createStore()
    await recordAudit({ action: 'plugin_enabled', storeId: fixture.store.id, userId: fixture.users.admin.id, subjectType: 'plugin', data: { plugin: 'loyalty-points' } })
    await recordAudit({ action: 'category_created', storeId: fixture.store.id, userId: fixture.users.admin.id, subjectType: 'category', subjectId: 42 })
    const page = await client.get('/backoffice/audit').loginAs(fixture.users.admin)
    page.assertStatus(200)
    const subjects = [...page.text().matchAll(/<td>\s*((?:plugin|category)(?: [^<\s]+)?)\s*<\/td>/g)].map((m) => m[1])
    // Other specs' installation-wide entries (plugins) may be listed too: none of them reads "null"
    assert.includeMembers(subjects, ['plugin', 'category 42'])
    assert.notInclude(subjects, 'plugin null')
  })
})
