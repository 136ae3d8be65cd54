import { test } from '@japa/runner'
import { inTransaction } from '#platform/db_transaction'

/*
| A transaction that gets no connection at all (the database refuses it, or none is made or freed
| in time) is retried for 1.5 s, then the error goes up (a 503): thirty attempts against a refused
| port took 6.6 s, and a till waited that long before it could go offline. A deadlock is still
| retried its full count. Either database: the refusal is thrown by the work itself.
*/
test.group('Transactions without a connection', () => {
  for (const error of [{ code: 'ECONNREFUSED' }, { code: 'ETIMEDOUT' }, { name: 'KnexTimeoutError', message: 'Knex: Timeout acquiring a connection' }]) {
    test(`${error.code ?? error.name}: retried for 1.5 s at most, then thrown`, async ({ assert }) => {
      let attempts = 0
      const started = Date.now()
      const thrown = await inTransaction(async () => {
        attempts++
        // As slow as a refused connection to a server on another machine
        await new Promise((resolve) => setTimeout(resolve, 200))
        throw Object.assign(new Error('no connection'), error)
      }).catch((e) => e)
      assert.equal(thrown.message, error.message ?? 'no connection')
      assert.isAbove(attempts, 1)
      assert.isBelow(Date.now() - started, 2_500)
    }).timeout(30_000)
  }

  test('a deadlock is still retried until it passes', async ({ assert }) => {
    let attempts = 0
    const result = await inTransaction(async () => {
      if (++attempts < 12) throw Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 })
      return 'done'
    })
    assert.equal(result, 'done')
    assert.equal(attempts, 12)
  })
})
