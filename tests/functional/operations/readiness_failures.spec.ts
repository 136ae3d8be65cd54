import { test } from '@japa/runner'
import { rmSync } from 'node:fs'
import env from '#start/env'
import { startCapturedServer } from './server_child.js'

/*
| /health/ready of a real server process when something is wrong: pending migrations, the
| database down (503), Redis configured but down (a warning: the server falls back to memory,
| still ready as far as Redis goes). Nothing listens on the ports used for "down" (this test's
| own range), and /health/live answers whatever happens. /health/till (the till's heartbeat) fails
| only with the database.
*/
async function health(url: string) {
  const live = await fetch(`${url}/health/live`)
  const ready = await fetch(`${url}/health/ready`)
  const body: any = await ready.json()
  const check = (name: string) => body.checks.find((c: any) => c.name === name)
  // The till's heartbeat: the database only (it answers, it takes writes)
  const tillAnswer = await fetch(`${url}/health/till`)
  const till: any = { status: tillAnswer.status, body: await tillAnswer.json() }
  return { live: live.status, status: ready.status, body, check, text: JSON.stringify(body), till }
}

test.group('Readiness failures', () => {
  test('pending migrations: not ready; Redis configured but down: a warning', async ({ assert, cleanup }) => {
    const port = Number(process.env.PORT) + 14
    const file = `tmp/health-unmigrated-${process.pid}.sqlite3`
    cleanup(() => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true })))
    const server = await startCapturedServer(port, { NODE_ENV: 'production', LOG_LEVEL: 'fatal', DB_CONNECTION: 'sqlite', SQLITE_PATH: file, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port + 1) })
    try {
      const report = await health(server.url)
      assert.equal(report.live, 200)
      assert.equal(report.status, 503, report.text)
      assert.isFalse(report.body.ready)
      assert.equal(report.check('migrations').status, 'error')
      assert.match(report.check('migrations').message, /\d+ migration\(s\) pending/)
      assert.equal(report.check('database').status, 'ok')
      assert.equal(report.check('redis').status, 'warning')
      assert.notInclude(report.text, String(port + 1))
      // Nothing of this stops a till selling: its heartbeat answers 200
      assert.equal(report.till.status, 200, JSON.stringify(report.till.body))
      assert.deepEqual(report.till.body.checks.map((c: any) => [c.name, c.status]), [['database', 'ok'], ['database_writable', 'ok']])
    } finally {
      await server.stop()
    }
  }).timeout(120_000)

  test('Redis configured and up: "ok" at the first ask of a server just started', async ({ assert, cleanup }) => {
    // The machine's Redis (the SQLite run reaches it too). Its connection is made on first use, and
    // a server nobody had signed in to yet said "Redis does not answer" after every start
    const port = Number(process.env.PORT) + 14
    const file = `tmp/health-redis-up-${process.pid}.sqlite3`
    cleanup(() => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true })))
    const server = await startCapturedServer(port, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'fatal',
      DB_CONNECTION: 'sqlite',
      SQLITE_PATH: file,
      REDIS_HOST: env.get('REDIS_HOST') ?? '127.0.0.1',
      REDIS_PORT: String(env.get('REDIS_PORT') ?? 6379),
    })
    try {
      const report = await health(server.url)
      assert.equal(report.check('redis').status, 'ok', report.text)
      assert.equal(report.check('redis').message, 'Redis answers')
    } finally {
      await server.stop()
    }
  }).timeout(120_000)

  test('the database down: not ready, without naming where it is', async ({ assert }) => {
    const port = Number(process.env.PORT) + 15
    const server = await startCapturedServer(port, { NODE_ENV: 'production', LOG_LEVEL: 'fatal', DB_CONNECTION: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: String(port + 1), DB_DATABASE: 'pos_health_none' })
    try {
      const report = await health(server.url)
      assert.equal(report.live, 200)
      assert.equal(report.status, 503, report.text)
      assert.equal(report.check('database').status, 'error')
      assert.equal(report.check('migrations').status, 'error')
      assert.notInclude(report.text, String(port + 1))
      assert.notInclude(report.text, 'ECONNREFUSED')
      // The till's heartbeat says so too: the till goes offline
      assert.equal(report.till.status, 503)
      assert.equal(report.till.body.checks[0].status, 'error')
      assert.notInclude(JSON.stringify(report.till.body), String(port + 1))
    } finally {
      await server.stop()
    }
  }).timeout(120_000)
})
