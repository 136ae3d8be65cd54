import { test } from '@japa/runner'
import { Redis } from 'ioredis'
import { createStore, PASSWORD } from '#tests/fixtures'
import { clearRateLimits } from '#platform/rate_limits'
import { installationName } from '#platform/installation'
import { AppProcess } from '../faults/app_process.js'

/*
| Several installations on one Redis (a shop's production and training POS; a test run beside
| another): each keeps its rate-limit counts under keys of its own. They count by user and store
| ids, which every installation has: with one shared prefix, wrong PINs typed in the training POS
| blocked user 5 of the real one, and a test run starting beside another emptied its counts.
| Installations whose databases have one name (on two database servers) are told apart by their
| INSTALLATION_ID; before it, they shared every key.
*/

const OTHER_PORT = Number(process.env.PORT ?? 3334) + 38

/** The keys of Redis under a prefix, read without the app's own prefix */
async function keysUnder(raw: Redis, prefix: string) {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, found] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    keys.push(...found)
  } while (cursor !== '0')
  return keys
}

test.group('Installations sharing one Redis', () => {
  test('each counts sign-ins under its own keys, and clearing its counts leaves the others\u2019', async ({ client, assert, cleanup }) => {
    const raw = new Redis({ host: process.env.REDIS_HOST, port: Number(process.env.REDIS_PORT ?? 6379), lazyConnect: true })
    cleanup(() => raw.quit().then(() => undefined))
    const fixture = await createStore()
    const email = fixture.users.cashier.email
    for (let i = 1; i <= 5; i++) (await client.post('/api/auth/login').json({ email, password: `wrong-${i}` })).assertStatus(401)
    ;(await client.post('/api/auth/login').json({ email, password: PASSWORD })).assertStatus(429)

    // The count of this email is under this installation's prefix, and nowhere else
    const ours = `pos:${installationName()}:`
    const counted = (await keysUnder(raw, 'pos:')).filter((key) => key.includes(email))
    assert.isNotEmpty(counted)
    for (const key of counted) assert.isTrue(key.startsWith(ours), `${key} is not under ${ours}`)

    // Another installation has blocked the same email (its own user of that name) in the meantime
    const theirs = counted.map((key) => `pos:another-installation:${key.slice(ours.length)}`)
    for (const [i, key] of counted.entries()) await raw.copy(key, theirs[i], 'REPLACE')
    cleanup(async () => {
      await raw.del(...theirs)
    })

    await clearRateLimits()
    assert.deepEqual((await keysUnder(raw, ours)).filter((key) => key.includes(email)), [])
    assert.equal(await raw.exists(...theirs), theirs.length)
    ;(await client.post('/api/auth/login').json({ email, password: PASSWORD })).assertStatus(200)
  }).skip(!process.env.REDIS_HOST, 'REDIS_HOST is not set: the counts are in this process\u2019s memory')

  test('two with databases of one name and INSTALLATION_IDs of their own do not share counts', async ({ client, assert, cleanup }) => {
    const fixture = await createStore()
    const email = fixture.users.cashier.email
    // Another installation: the same database name (this very database), its own INSTALLATION_ID
    const other = await new AppProcess(OTHER_PORT, { INSTALLATION_ID: 'shared-redis-spec-other' }).start()
    cleanup(() => other.stop())
    for (let i = 1; i <= 5; i++) (await client.post('/api/auth/login').json({ email, password: `wrong-${i}` })).assertStatus(401)
    ;(await client.post('/api/auth/login').json({ email, password: PASSWORD })).assertStatus(429)
    // Blocked here, not there
    const there = await other.request('/api/auth/login', { method: 'POST', body: { email, password: PASSWORD } })
    assert.equal(there.status, 200, await there.clone().text())
    await clearRateLimits()
  })
    .skip(!process.env.REDIS_HOST, 'REDIS_HOST is not set: the counts are in this process\u2019s memory')
    .timeout(60_000)
})
