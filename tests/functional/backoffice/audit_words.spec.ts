import { test } from '@japa/runner'
import { createStore } from '#tests/fixtures'
import { recordAudit } from '#platform/audit_service'

/*
| The audit page showed the stored identifiers (`register_lease_taken`, `plugin_enabled`) in its
| Action column and filter. It says them in words (app/reports/audit_actions.ts); the filter's
| value, its URLs and the CSV keep the identifier.
*/
test.group('Audit log: actions in words', () => {
  test('the column and the filter say the action in words; the filter value, the URL and the CSV keep the identifier', async ({ client, assert }) => {
    const fixture = await createStore()
    await recordAudit({ action: 'register_lease_taken', storeId: fixture.store.id, userId: fixture.users.admin.id, subjectType: 'register', subjectId: fixture.register.id })
    await recordAudit({ action: 'plugin_enabled', storeId: fixture.store.id, userId: fixture.users.admin.id, subjectType: 'plugin', data: { plugin: 'loyalty-points' } })

    const page = await client.get('/backoffice/audit').loginAs(fixture.users.admin)
    page.assertStatus(200)
    const table = page.text().slice(page.text().indexOf('data-testid="audit-entries"'))
    assert.match(table, />\s*Register taken by a till\s*</)
    assert.match(table, />\s*Plugin enabled\s*</)
    assert.notMatch(table, />\s*register_lease_taken\s*</)
    const option = /<option[^>]*value="register_lease_taken"[^>]*>\s*([^<]+?)\s*</.exec(page.text())
    assert.equal(option?.[1], 'Register taken by a till')

    const filtered = await client.get('/backoffice/audit?action=register_lease_taken').loginAs(fixture.users.admin)
    filtered.assertStatus(200)
    const rows = filtered.text().slice(filtered.text().indexOf('data-testid="audit-entries"'))
    assert.include(rows, 'Register taken by a till')
    assert.notInclude(rows, 'Plugin enabled')
    assert.include(filtered.text(), '/backoffice/audit.csv?action=register_lease_taken')

    const csv = await client.get('/backoffice/audit.csv?action=register_lease_taken').loginAs(fixture.users.admin)
    csv.assertStatus(200)
    assert.include(csv.text(), ',register_lease_taken,')
    assert.notInclude(csv.text(), 'Register taken by a till')
  })
})
