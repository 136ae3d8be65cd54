import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { cashIntoDrawer, countRows, createStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'

/*
| A form whose one-time key reached the database after its request had given up
| (app/platform/idempotency_service.ts, freeLeftClaim). On a frozen database a till's cash-out got
| its 503 at the query deadline, but the key's INSERT was still queued in MariaDB and landed once the
| database moved again: the same form sent again was refused as "still being recorded" for a
| minute (the key's lease), with what was typed gone, though nothing had been written.
| A row lock held by another session past the deadline plays the frozen database: the INSERT waits
| on it, the app drops its connection, and MariaDB still runs the INSERT when the lock goes.
*/

const onMariaDb = process.env.DB_CONNECTION === 'mysql'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('A form whose key landed after its request gave up', (group) => {
  group.each.setup(() => {
    const before = process.env.DB_QUERY_TIMEOUT_MS
    process.env.DB_QUERY_TIMEOUT_MS = '1500'
    return () => {
      if (before === undefined) delete process.env.DB_QUERY_TIMEOUT_MS
      else process.env.DB_QUERY_TIMEOUT_MS = before
    }
  })

  test('a cash-out sent again once the database is back is recorded once, not refused for a minute', async ({ client, assert }) => {
    const fixture = await createStore()
    await cashIntoDrawer(fixture, 5000)
    const shiftId = (await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()).id
    const key = crypto.randomUUID()
    const body = { _submission: key, shift_id: String(shiftId), kind: 'cash_out', amount: '5.25', reason: 'Milk for the staff room' }
    const send = () =>
      client
        .post('/till/shift/movements')
        .form(body)
        .withCsrfToken()
        .loginAs(fixture.users.cashier)
        .withCookie('pos_register', String(fixture.register.id))
        // The page the form was on: a refusal goes back there, a recorded one to /till/shift
        .header('referer', '/till')
        .redirects(0)

    // Another session holds the gap where the key's row goes: the form's INSERT waits on it
    const { createConnection } = await import('mysql2/promise')
    const config: any = db.manager.get(db.primaryConnectionName)!.config
    const locker = await createConnection({ ...config.connection })
    try {
      await locker.query('BEGIN')
      await locker.query('SELECT id FROM idempotency_keys WHERE user_id = ? AND `key` = ? FOR UPDATE', [fixture.users.cashier.id, `form:${key}`])
      const frozen = await send()
      assert.equal(frozen.status(), 503, frozen.text().slice(0, 300))
      // The database moves again: the INSERT of the request that gave up lands now
      await locker.query('COMMIT')
    } finally {
      await locker.end()
    }

    // Sent again (at once, and each second until it goes through), it is recorded, once: the
    // claim left is freed within seconds, not after its minute's lease
    let again = await send()
    for (let attempt = 0; attempt < 10 && again.header('location') !== '/till/shift'; attempt++) {
      await sleep(1000)
      again = await send()
    }
    assert.equal(again.header('location'), '/till/shift', JSON.stringify(again.flashMessages()))
    assert.equal(await countRows('cash_movements', { shift_id: shiftId, kind: 'cash_out' }), 1)
    // And sent once more, it is told it was recorded once
    const twice = await send()
    assert.equal(twice.header('location'), '/till/shift')
    assert.equal(twice.flashMessage('notice'), 'This form was sent twice: it was recorded once')
    assert.equal(await countRows('cash_movements', { shift_id: shiftId, kind: 'cash_out' }), 1)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql): a row lock plays the frozen database')
    .timeout(60_000)

  test('a form whose first post is still being recorded comes back with what was typed', async ({ client, assert }) => {
    const fixture = await createStore()
    await cashIntoDrawer(fixture, 5000)
    const shiftId = (await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()).id
    const key = crypto.randomUUID()
    // The first post's claim, held by a request still running (its lease is young)
    const at = dbTimestamp()
    await db.table('idempotency_keys').insert({ user_id: fixture.users.cashier.id, key: `form:${key}`, method: 'POST', path: '/till/shift/movements', request_hash: 'x'.repeat(64), status_code: null, claim_token: crypto.randomUUID(), created_at: at })
    const second = await client
      .post('/till/shift/movements')
      .form({ _submission: key, shift_id: String(shiftId), kind: 'cash_out', amount: '5.25', reason: 'Milk for the staff room' })
      .withCsrfToken()
      .loginAs(fixture.users.cashier)
      .withCookie('pos_register', String(fixture.register.id))
      .header('referer', '/till')
      .redirects(0)
    assert.equal(second.header('location'), '/till')
    assert.equal(second.flashMessage('errorsBag')?.E_FORM, 'This form is still being recorded: look again in a moment before sending it again')
    assert.equal(second.flashMessage('amount'), '5.25')
    assert.equal(second.flashMessage('reason'), 'Milk for the staff room')
    assert.isUndefined(second.flashMessage('_submission'))
    assert.equal(await countRows('cash_movements', { shift_id: shiftId, kind: 'cash_out' }), 0)
  }).timeout(30_000)
})
