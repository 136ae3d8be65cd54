import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore, type TestStore } from '#tests/fixtures'

/*
| The till's "Open the register" form posts the note-by-note table (blank where nothing was
| counted) and the float typed as an amount. A typed float used to be dropped: the blank table
| counted as a count of $0.00, so the shift opened with no float and the Z showed it all as over.
*/

function openForm(client: any, fixture: TestStore, fields: Record<string, string>) {
  const blankTable = { 'float_counts[10000]': '', 'float_counts[2000]': '', 'float_counts[500]': '', 'float_counts[25]': '' }
  return client
    .post('/till/shift/open')
    .loginAs(fixture.users.manager)
    .withCookie('pos_register', String(fixture.register.id))
    .withCsrfToken()
    .redirects(0)
    .form({ ...blankTable, ...fields })
}

const openShift = (fixture: TestStore) => db.from('shifts').where({ open_register_id: fixture.register.id }).first()

test.group('Till: opening the register with a float', () => {
  test('the float typed as an amount is the opening float when no note is counted', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const opened = await openForm(client, fixture, { float: '150.00' })
    assert.equal(opened.header('location'), '/till')
    assert.equal((await openShift(fixture)).opening_float, 15000)
  })

  test('counted notes are the float; an amount typed too must agree with them', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const mismatch = await openForm(client, fixture, { 'float_counts[2000]': '2', float: '50.00' })
    assert.notEqual(mismatch.header('location'), '/till')
    assert.isNull(await openShift(fixture))
    const page = await client.get('/till/shift/open').loginAs(fixture.users.manager).withCookie('pos_register', String(fixture.register.id)).withFlashMessages(mismatch.flashMessages())
    assert.include(page.text(), 'The notes and coins counted make $40.00, not the amount entered')

    const agreed = await openForm(client, fixture, { 'float_counts[2000]': '2', 'float_counts[500]': '', float: '40' })
    assert.equal(agreed.header('location'), '/till')
    const shift = await openShift(fixture)
    assert.equal(shift.opening_float, 4000)
    assert.deepEqual(typeof shift.float_counts === 'string' ? JSON.parse(shift.float_counts) : shift.float_counts, { '2000': 2 })
  })

  test('a negative float, or none at all, is refused on its field and opens nothing', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    for (const [fields, message] of [
      [{ float: '-50' }, 'The amount must be a whole number of cents, not negative'],
      [{ float: '' }, 'Enter the cash in the drawer'],
      [{ 'float_counts[25]': '-3' }, 'must be a whole number from 0'],
    ] as const) {
      const refused = await openForm(client, fixture, fields)
      assert.notEqual(refused.header('location'), '/till', JSON.stringify(fields))
      const page = await client.get('/till/shift/open').loginAs(fixture.users.manager).withCookie('pos_register', String(fixture.register.id)).withFlashMessages(refused.flashMessages())
      assert.include(page.text(), message, JSON.stringify(fields))
      assert.isNull(await openShift(fixture), JSON.stringify(fields))
    }
  })
})
