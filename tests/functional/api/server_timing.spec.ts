import { test } from '@japa/runner'
import { apiToken, createStore } from '#tests/fixtures'

/*
| Every answer says how long the server worked on it (Server-Timing), which pos:bench reads to
| judge the latency budgets in server time
*/
test.group('Server-Timing', () => {
  test('pages, API answers and refusals carry Server-Timing: app;dur=<ms>', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const answers = [
      await client.get('/login'),
      await client.get('/api/auth/me').bearerToken(token),
      await client.get('/api/auth/me'),
      await client.post('/api/sales').bearerToken(token).json({ items: [] }),
    ]
    assert.deepEqual(
      answers.map((answer) => answer.status()),
      [200, 200, 401, 422]
    )
    for (const answer of answers) {
      const match = /^app;dur=(\d+\.\d{2})$/.exec(answer.header('server-timing') ?? '')
      assert.isNotNull(match, `${answer.status()}: ${answer.header('server-timing')}`)
      assert.isAbove(Number(match![1]), 0)
      assert.isBelow(Number(match![1]), 30_000)
    }
  })
})
