import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { createPairingCode } from '#hardware/pairing'

/*
| Text that reaches the hardware bridge is checked where it is typed: the store's name, address
| and receipt footer (printed on every receipt; the name also on the customer display's test), a
| device's name (on its test page), a bridge's name. A control character (ESC, GS, NUL: bytes of
| ESC/POS commands) or text over the field's length is a 4xx on that field, nothing saved.
| (Rows saved before these checks are flattened by the encoder itself: escpos_lines.spec.ts.)
*/

const ESC_CUT = 'Thanks\u001bi\u001dV\u0000'

function storeForm(overrides: Record<string, unknown> = {}) {
  return { name: 'Harbour Branch', address: '2 Quay Road', currency: 'EUR', time_zone: 'Europe/Dublin', cash_rounding: '5', receipt_footer: 'Thanks', ...overrides }
}

test.group('Hardware: printed text is checked as it is typed', () => {
  test('the store form: control characters or too much text in the name, address or receipt footer are an error on the field', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    const edit = `/backoffice/stores/${fixture.store.id}/edit`
    for (const [field, value] of [
      ['receipt_footer', ESC_CUT],
      ['receipt_footer', 'x'.repeat(256)],
      ['receipt_footer', 'Line one\nLine two'],
      ['address', '2 Quay Road\n\u001b@'],
      ['address', 'x'.repeat(501)],
      ['name', 'Harbour\u001bE'],
      ['name', 'x'.repeat(121)],
    ] as const) {
      const response = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}`, storeForm({ [field]: value }), edit)
      response.assertStatus(302)
      assert.properties(response.flashMessage('inputErrorsBag') ?? {}, [field], `${field} ${JSON.stringify(value).slice(0, 40)}`)
    }
    const row = await db.from('stores').where('id', fixture.store.id).first()
    assert.equal(row.name, fixture.store.name)
    assert.notInclude(String(row.receipt_footer ?? ''), '\u001b')
  })

  test('a device\'s name and a bridge\'s name: control characters are an error on the field', async ({ client, assert }) => {
    const fixture = await createStore()
    const added = await submit(client, fixture.users.manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'printer', name: 'Epson\u001b@', transport: 'tcp', host: '192.168.1.50', port: 9100 }, '/backoffice/devices')
    added.assertStatus(302)
    assert.property(added.flashMessage('inputErrorsBag') ?? {}, 'name')
    assert.equal(Number((await db.from('devices').where('register_id', fixture.register.id).count('* as n').first()).n), 0)

    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    const paired = await client.post('/api/bridge/pair').json({ code, name: 'Till\u001bPC' })
    paired.assertStatus(422)
    assert.equal(paired.body().errors[0].field, 'name')
  })
})
