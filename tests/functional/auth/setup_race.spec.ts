import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { ace, scratchTarget } from '#tests/functional/backups/helpers'
import { startCapturedServer } from '#tests/functional/operations/server_child'
import { CookieSession } from '#tests/live_client'

/*
| The first run's setup is the one moment anyone who reaches the server may create an admin. Two
| setups sent at once on an empty database (the owner's and someone else's racing it) both found
| no store and both were made on MariaDB: two stores, two admins, and neither admin of every
| store (the owner no longer managed plugins nor backups). One setup is made; the others are told
| it is set up already.
*/

test.group('First-run setup sent twice at once', () => {
  test('only one store and one admin are made', async ({ assert }) => {
    const target = await scratchTarget()
    const env = { ...target.env, BACKUP_EVERY: '0' }
    let server: Awaited<ReturnType<typeof startCapturedServer>> | null = null
    try {
      const migrated = await ace(['migration:run', '--force'], env)
      assert.equal(migrated.code, 0, migrated.out)
      server = await startCapturedServer(Number(process.env.PORT) + 12, env)
      const sessions = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const session = new CookieSession(server!.url)
          const page = await (await session.request('/setup')).text()
          session.csrf = page.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)![1]
          return session
        })
      )
      const answers = await Promise.all(
        sessions.map((session, i) =>
          session.request('/setup', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ _csrf: session.csrf, store_name: `Store ${i}`, currency: 'USD', time_zone: 'UTC', name: `Admin ${i}`, email: `admin${i}@race.test`, password: 'long-enough-pass' }).toString(),
          })
        )
      )
      const made = answers.filter((answer) => answer.headers.get('location') === '/backoffice')
      assert.lengthOf(made, 1, answers.map((a) => `${a.status} ${a.headers.get('location')}`).join(', '))
      const client = db.connection(target.name)
      assert.equal(Number((await client.from('stores').count('* as n'))[0].n), 1)
      assert.equal(Number((await client.from('users').count('* as n'))[0].n), 1)
      // The others were told: set up already (the sign-in form)
      for (const answer of answers.filter((a) => !made.includes(a))) assert.oneOf(`${answer.status} ${answer.headers.get('location')}`, ['302 /login', '409 null'])
    } finally {
      if (server) await server.stop()
      await target.drop()
    }
  }).timeout(180_000)
})
