import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { requestContext } from '#platform/request_context'
import { queryDeadlineFor, withLongQueryDeadline, withoutQueryDeadline } from '#platform/query_deadline'
import { mysqlRoundTrips } from '#platform/mysql_pipelining'

/*
| The deadline on a query of a request (app/platform/query_deadline.ts), on a real MariaDB: a query
| past it drops its connection and fails; the work that may rightly be long (the audit page's chain
| walk, a plugin's migrations) runs without one, inside the same request.
*/

const onMariaDb = process.env.DB_CONNECTION === 'mysql'
const slowQuery = () => db.rawQuery('SELECT SLEEP(0.4) AS slept')

test.group('The query deadline', () => {
  test('which requests get which deadline', ({ assert }) => {
    assert.equal(queryDeadlineFor('/till/scan', 'POST'), 5000)
    assert.equal(queryDeadlineFor('/api/sales', 'POST'), 5000)
    assert.equal(queryDeadlineFor('/api/sales', 'GET'), 60_000)
    assert.equal(queryDeadlineFor('/backoffice/reports', 'GET'), 60_000)
  })

  test('a query past its request\u2019s deadline fails and drops its connection; run without one, the same query answers', async ({ assert }) => {
    await requestContext.run({ requestId: 'deadline-test', queryDeadlineMs: 150 }, async () => {
      const sent = mysqlRoundTrips()
      const error = await slowQuery().catch((failed) => failed)
      assert.instanceOf(error, Error)
      assert.equal(error.code, 'ETIMEDOUT')
      // Sent once: a query dropped at its deadline is not run again as one whose connection was lost (lost_connections.ts)
      assert.equal(mysqlRoundTrips() - sent, 1)
      const answer = await withoutQueryDeadline(() => slowQuery())
      assert.equal(Number(answer[0][0].slept), 0)
      // And the request's own deadline is back after it
      assert.equal(requestContext.getStore()?.queryDeadlineMs, 150)
    })
    // A job: the long deadline, which this query is well within
    const job = await withLongQueryDeadline('deadline-test-job', () => slowQuery())
    assert.equal(Number(job[0][0].slept), 0)
  })
    .skip(!onMariaDb, 'MariaDB only: the deadline wraps the mysql2 connections')
    .timeout(20_000)
})
