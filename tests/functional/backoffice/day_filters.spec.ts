import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { recordAudit } from '#platform/audit_service'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { completedSale } from '../returns/helpers.js'

/*
| The back office's lists filtered by days (sales, the audit log): a day that is not one (2026-13-01,
| abc, 9999-12-31) showed today's sales, or the log of every day, as if it had been followed. It is
| now said at its field with a 422, and nothing is listed; the audit CSV answers 422 with the reason.
*/

test.group('Back office: day filters', () => {
  test('a day that is not one is said at its field, with nothing listed, in the sales list and the audit log', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 500, taxClass: 'zero', stock: 10 })
    const sale = await completedSale(client, await apiToken(client, fixture.users.manager), [{ product_id: tea.id, quantity: 1 }])
    await recordAudit({ action: 'refund', storeId: fixture.store.id, userId: fixture.users.admin.id, data: { reason: 'x' } })
    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!

    for (const [query, field, message] of [
      ['from=2026-13-01', 'from', '&quot;2026-13-01&quot; is not a day (yyyy-mm-dd) from 2000 to 2100'],
      [`from=${today}&to=abc`, 'to', '&quot;abc&quot; is not a day'],
      ['to=9999-12-31', 'to', '&quot;9999-12-31&quot; is not a day'],
    ]) {
      const sales = await client.get(`/backoffice/sales?${query}`).loginAs(fixture.users.manager)
      sales.assertStatus(422)
      assert.include(sales.text(), `<p class="field-error" id="field-${field}-error" data-error-for="${field}">${message}`, query)
      assert.notInclude(sales.text(), `data-sale-id="${sale.id}"`, `${query}: not today's sales instead`)

      const audit = await client.get(`/backoffice/audit?${query}`).loginAs(fixture.users.admin)
      audit.assertStatus(422)
      assert.include(audit.text(), `<p class="field-error" id="field-${field}-error" data-error-for="${field}">${message}`, query)
      assert.notInclude(audit.text(), 'data-testid="audit-entries"', `${query}: not every day's entries instead`)
      const csv = await client.get(`/backoffice/audit.csv?${query}`).loginAs(fixture.users.admin)
      csv.assertStatus(422)
      assert.include(csv.text(), `${field}: `)
    }
    // Good days still list
    const good = await client.get(`/backoffice/sales?from=${today}&to=${today}`).loginAs(fixture.users.manager)
    good.assertStatus(200)
    assert.include(good.text(), `data-sale-id="${sale.id}"`)
    const log = await client.get(`/backoffice/audit?from=${today}&to=${today}`).loginAs(fixture.users.admin)
    log.assertStatus(200)
    assert.include(log.text(), 'data-testid="audit-entries"')
  })
})
