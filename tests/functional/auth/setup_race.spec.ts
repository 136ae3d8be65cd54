import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { ace, scratchTarget } from '#tests/functional/backups/helpers'
import { startCapturedServer } from '#tests/functional/operations/server_child'
import { CookieSession } from '#tests/live_client'
import type { Assert } from '@japa/assert'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| The first run's setup is the one moment anyone who reaches the server may create an admin. Two
| setups sent at once on an empty database (the owner's and someone else's racing it) both found
| no store and both were made on MariaDB: two stores, two admins, and neither admin of every
| store (the owner no longer managed plugins nor backups). One setup is made; the others are told
| it is set up already. On a Galera cluster the locking read alone did not do it (row locks are
| local to a node): every setup also writes the one row of setup_lock, which the cluster certifies
| (tests/cluster/setup_race.ts). That row is a lock, not a sign that a setup happened: a database
| with the row and no store (its stores emptied, or a restore) is still set up once.
*/

async function setupForm(url: string) {
  const session = new CookieSession(url)
  const page = await (await session.request('/setup')).text()
  session.csrf = page.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)![1]
  return session
}

function postSetup(session: CookieSession, i: number) {
  return session.request('/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, store_name: `Store ${i}`, currency: 'USD', time_zone: 'UTC', name: `Admin ${i}`, email: `admin${i}@race.test`, password: 'long-enough-pass' }).toString(),
  })
}

type Server = Awaited<ReturnType<typeof startCapturedServer>>

/** An install of its own (a scratch database, migrated, no store) with a server on it; `prepare` runs before the server starts */
async function onEmptyInstall(assert: Assert, work: (server: Server, client: QueryClientContract) => Promise<void>, prepare?: (client: QueryClientContract) => Promise<unknown>) {
  const target = await scratchTarget()
  const env = { ...target.env, BACKUP_EVERY: '0' }
  let server: Server | null = null
  try {
    const migrated = await ace(['migration:run', '--force'], env)
    assert.equal(migrated.code, 0, migrated.out)
    const client = db.connection(target.name)
    await prepare?.(client)
    server = await startCapturedServer(Number(process.env.PORT) + 12, env)
    await work(server, client)
  } finally {
    if (server) await server.stop()
    await target.drop()
  }
}

test.group('First-run setup sent twice at once', () => {
  test('only one store and one admin are made', async ({ assert }) => {
    await onEmptyInstall(assert, async (server, client) => {
      const sessions = await Promise.all(Array.from({ length: 4 }, () => setupForm(server.url)))
      const answers = await Promise.all(sessions.map((session, i) => postSetup(session, i)))
      const made = answers.filter((answer) => answer.headers.get('location') === '/backoffice')
      assert.lengthOf(made, 1, answers.map((a) => `${a.status} ${a.headers.get('location')}`).join(', '))
      assert.equal(Number((await client.from('stores').count('* as n'))[0].n), 1)
      assert.equal(Number((await client.from('users').count('* as n'))[0].n), 1)
      // The others were told: set up already (the sign-in form)
      for (const answer of answers.filter((a) => !made.includes(a))) assert.oneOf(`${answer.status} ${answer.headers.get('location')}`, ['302 /login', '409 null'])
    })
  }).timeout(180_000)

  test('a setup_lock row with no store does not stop the setup', async ({ assert }) => {
    const leftover = (client: QueryClientContract) => client.table('setup_lock').insert({ id: 1, setups: 3 })
    await onEmptyInstall(assert, async (server, client) => {
      // Both forms while it is not set up (then /setup sends to the sign-in)
      const [first, second] = [await setupForm(server.url), await setupForm(server.url)]
      const answer = await postSetup(first, 0)
      assert.equal(`${answer.status} ${answer.headers.get('location')}`, '302 /backoffice')
      assert.equal(Number((await client.from('stores').count('* as n'))[0].n), 1)
      assert.deepEqual((await client.from('setup_lock').select('id', 'setups')).map((row) => [Number(row.id), Number(row.setups)]), [[1, 4]])
      // and once made, a second one is sent to the sign-in
      const again = await postSetup(second, 1)
      assert.equal(`${again.status} ${again.headers.get('location')}`, '302 /login')
      assert.equal(Number((await client.from('users').count('* as n'))[0].n), 1)
    }, leftover)
  }).timeout(180_000)
})
