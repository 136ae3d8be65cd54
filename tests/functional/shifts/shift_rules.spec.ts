import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { countRows, createStore } from '#tests/fixtures'
import { apiAs } from '#tests/functional/shifts/helpers'

test.group('Shifts: bad input writes nothing', () => {
  test('negative, fractional, unknown or absurd counts are refused with the field named', async ({ client, assert }) => {
    const fixture = await createStore()
    const api = await apiAs(client, fixture.users.cashier)
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()

    const cases: [Record<string, unknown>, string, string][] = [
      [{ counts: { '2000': -1 } }, 'counts.2000', 'invalid_count'],
      [{ counts: { '500': 1.5 } }, 'counts.500', 'invalid_count'],
      [{ counts: { '300': 1 } }, 'counts.300', 'unknown_denomination'],
      [{ counts: { '10000': 100_001 } }, 'counts.10000', 'invalid_count'],
      [{ counts: { '10000': 100_000, '5000': 100_000 } }, 'counts', 'invalid_count'],
      // Not a number (they were read as 1000, 5 and 1)
      [{ counts: { '100': '1e3' } }, 'counts.100', 'invalid_count'],
      [{ counts: { '100': [5] } }, 'counts.100', 'invalid_count'],
      [{ counts: { '100': true } }, 'counts.100', 'invalid_count'],
      // Digits in a string: a JSON number is a number (it was taken as 5)
      [{ counts: { '2000': '5' } }, 'counts.2000', 'invalid_count'],
      [{ amount: 1000 }, 'counts', 'counts_required'],
    ]
    for (const [body, field, code] of cases) {
      const answer = await api.post(`/api/shifts/${shift.id}/close`, body)
      answer.assertStatus(422)
      assert.deepInclude(answer.body().errors[0], { field, code }, JSON.stringify(body))
    }
    const vine = await api.post('/api/shifts', { register_id: fixture.register.id, float: -500 })
    vine.assertStatus(422)
    assert.equal(vine.body().errors[0].field, 'float')

    assert.equal((await db.from('shifts').where('id', shift.id).first()).status, 'open')
    assert.equal(await countRows('z_reports', { shift_id: shift.id }), 0)
    assert.equal((await db.from('registers').where('id', fixture.register.id).first()).last_z_number, 0)
  })

  test('a cash out needs a reason, a positive amount and the cash to be in the drawer', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const api = await apiAs(client, fixture.users.cashier)
    const opened = await api.post('/api/shifts', { register_id: fixture.register.id, float: 2000 })
    const id = opened.body().id
    const noReason = await api.post(`/api/shifts/${id}/cash-movements`, { kind: 'cash_out', amount: 500 })
    noReason.assertStatus(422)
    assert.deepInclude(noReason.body().errors[0], { field: 'reason', code: 'reason_required' })
    const blank = await api.post(`/api/shifts/${id}/cash-movements`, { kind: 'cash_out', amount: 500, reason: '   ' })
    assert.deepInclude(blank.body().errors[0], { field: 'reason', code: 'reason_required' })
    // A NUL or a text-direction override is no reason (a NUL passed as one)
    for (const reason of ['\u0000', 'Bank\u202Eknab']) {
      const control = await api.post(`/api/shifts/${id}/cash-movements`, { kind: 'cash_out', amount: 500, reason })
      control.assertStatus(422)
      assert.deepInclude(control.body().errors[0], { field: 'reason', message: 'A reason may not hold control characters or text-direction overrides' })
    }
    const negative = await api.post(`/api/shifts/${id}/cash-movements`, { kind: 'cash_in', amount: -500, reason: 'x' })
    assert.deepInclude(negative.body().errors[0], { field: 'amount', code: 'invalid_amount' })
    const tooMuch = await api.post(`/api/shifts/${id}/cash-movements`, { kind: 'cash_out', amount: 2001, reason: 'Supplier' })
    tooMuch.assertStatus(409)
    assert.deepInclude(tooMuch.body().errors[0], { field: 'amount', code: 'not_enough_cash' })
    assert.equal(await countRows('cash_movements', { shift_id: id }), 0)

    // The till form puts the message on the field
    const cookie = String(fixture.register.id)
    const failed = await client.post('/till/shift/movements').form({ kind: 'cash_out', amount: '5.00', reason: '' })
      .loginAs(fixture.users.cashier).withCookie('pos_register', cookie).withCsrfToken().header('referer', '/till/shift').redirects(0)
    failed.assertStatus(302)
    assert.deepEqual(failed.flashMessages().inputErrorsBag, { reason: ['Say what the cash was paid out for'] })
    // An amount left empty is asked for, not said to be "more than zero"
    const empty = await client.post('/till/shift/movements').form({ kind: 'cash_in', amount: '', reason: 'Float top-up' })
      .loginAs(fixture.users.cashier).withCookie('pos_register', cookie).withCsrfToken().header('referer', '/till/shift').redirects(0)
    empty.assertStatus(302)
    assert.deepEqual(empty.flashMessages().inputErrorsBag, { amount: ['Enter the amount'] })
    assert.equal(await countRows('cash_movements', { shift_id: id }), 0)
  })

  test('closing a closed shift, or a shift of another store, is refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const api = await apiAs(client, fixture.users.manager)
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()
    ;(await api.post(`/api/shifts/${shift.id}/close`, { counts: {} , amount: 0 })).assertStatus(422)
    ;(await api.post(`/api/shifts/${shift.id}/close`, { counts: { '1': 0 } })).assertStatus(200)
    const again = await api.post(`/api/shifts/${shift.id}/close`, { counts: { '1': 0 } })
    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'shift_closed')
    assert.equal(await countRows('z_reports', { shift_id: shift.id }), 1)
    const late = await api.post(`/api/shifts/${shift.id}/cash-movements`, { kind: 'no_sale' })
    late.assertStatus(409)

    const foreign = await db.from('shifts').where({ open_register_id: other.register.id }).first()
    ;(await api.post(`/api/shifts/${foreign.id}/close`, { counts: { '1': 0 } })).assertStatus(404)
    ;(await api.get(`/api/shifts/${foreign.id}/report`)).assertStatus(404)
    assert.equal((await db.from('shifts').where('id', foreign.id).first()).status, 'open')
  })
})

test.group('Shifts: roles', () => {
  test('cashiers run shifts but do not see the back office; accountants read reports but run no shift', async ({ client, assert }) => {
    const fixture = await createStore()
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()
    const accountant = await apiAs(client, fixture.users.accountant)
    const cashier = await apiAs(client, fixture.users.cashier)

    ;(await accountant.post('/api/shifts', { float: 0 })).assertStatus(403)
    ;(await accountant.post(`/api/shifts/${shift.id}/close`, { counts: { '1': 0 } })).assertStatus(403)
    ;(await accountant.get('/api/shifts/current')).assertStatus(403)
    ;(await accountant.get(`/api/shifts/${shift.id}/report`)).assertStatus(200)
    ;(await cashier.get(`/api/shifts/${shift.id}/report`)).assertStatus(200)
    ;(await client.get('/till/shift').loginAs(fixture.users.accountant)).assertStatus(403)
    ;(await client.get('/backoffice/shifts').loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await client.get('/backoffice/shifts').loginAs(fixture.users.accountant)).assertStatus(200)
    ;(await client.get('/api/shifts/current')).assertStatus(401)
    assert.equal((await db.from('shifts').where('id', shift.id).first()).status, 'open')
  })

  test("a cashier reads an open shift's report and those of the shifts they opened or closed, not another's past Z", async ({ client }) => {
    const fixture = await createStore()
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()
    await db.from('shifts').where('id', shift.id).update({ opened_by: fixture.users.manager.id })
    const manager = await apiAs(client, fixture.users.manager)
    const cashier = await apiAs(client, fixture.users.cashier)
    ;(await cashier.get(`/api/shifts/${shift.id}/report`)).assertStatus(200)
    ;(await manager.post(`/api/shifts/${shift.id}/close`, { counts: { '1': 0 } })).assertStatus(200)

    // The manager's shift, opened and closed by them: its Z is the manager's and the back office's
    ;(await cashier.get(`/api/shifts/${shift.id}/report`)).assertStatus(403)
    ;(await client.get(`/till/shift/${shift.id}/z`).loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await manager.get(`/api/shifts/${shift.id}/report`)).assertStatus(200)
    ;(await client.get(`/till/shift/${shift.id}/z`).loginAs(fixture.users.manager)).assertStatus(200)
    // One the cashier closed (or opened) is theirs to read again
    await db.from('shifts').where('id', shift.id).update({ closed_by: fixture.users.cashier.id })
    ;(await cashier.get(`/api/shifts/${shift.id}/report`)).assertStatus(200)
    ;(await client.get(`/till/shift/${shift.id}/z`).loginAs(fixture.users.cashier)).assertStatus(200)
  })
})
