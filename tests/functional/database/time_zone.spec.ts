import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import mysql from 'mysql2/promise'
import { DatabaseNodes, parseNodes } from '#platform/database_nodes'
import { timestampsToDatetime } from '#database/migrations/0148_timestamps_as_datetime'
import { scratchTarget, sqlite } from '../backups/helpers.js'

/*
| MySQL/MariaDB and time zones (migration 0148, config/database.ts). The app writes UTC text; the
| columns were TIMESTAMPs, which the server takes in the session's zone, and the session had the
| server's own: on a server set to Europe/Berlin, '2026-03-29 02:30:00' was refused (1292) and no
| sale could be written in that hour. Every session is now in UTC and the columns are DATETIME.
*/

const ON_SQLITE = 'SQLite keeps times as text, in no time zone'

async function rows(sql: string, bindings: unknown[] = [], connection = db.primaryConnectionName) {
  return (await db.connection(connection).rawQuery(sql, bindings as any[]))[0] as any[]
}

test.group('MySQL/MariaDB time zone', () => {
  test("the app's connections are in UTC, whatever the server's zone", async ({ assert }) => {
    // Several at once: each its own pooled connection, not only the first
    const answers = await db.transaction(async (trx) => {
      const inside = (await trx.rawQuery('SELECT @@session.time_zone AS zone'))[0][0].zone
      const outside = (await rows('SELECT @@session.time_zone AS zone'))[0].zone
      return [inside, outside]
    })
    assert.deepEqual(answers, ['+00:00', '+00:00'])
  }).skip(sqlite(), ON_SQLITE)

  test('a connection whose SET fails is not handed out: the pool gets the error', async ({ assert }) => {
    const { afterCreate } = (db.manager.get(db.primaryConnectionName)!.config as any).pool
    const { createConnection } = await import('mysql2')
    const { host, port, user, password } = (db.manager.get(db.primaryConnectionName)!.config as any).connection
    const connection: any = createConnection({ host, port, user, password })
    await new Promise<void>((resolve, reject) => connection.connect((error: any) => (error ? reject(error) : resolve())))
    // Closed under it, as a server gone between the handshake and the SET
    connection.destroy()
    const outcome = await new Promise<Error | null>((resolve) => afterCreate(connection, (error: Error | null) => resolve(error)))
    assert.instanceOf(outcome, Error)
    assert.match(outcome!.message, /closed state/)
  }).skip(sqlite(), ON_SQLITE)

  test('on a cluster (DB_HOSTS) too: the node adopts the connection in UTC', async ({ assert }) => {
    const nodes = new DatabaseNodes(parseNodes(`${process.env.DB_HOST ?? '127.0.0.1'}:${process.env.DB_PORT ?? 3306}`), 60_000)
    const { createConnection } = await import('mysql2')
    const connection: any = createConnection({ user: process.env.DB_USER ?? 'root', password: process.env.DB_PASSWORD ?? '', stream: () => nodes.openSocket() } as any)
    try {
      await new Promise<void>((resolve, reject) => connection.connect((error: any) => (error ? reject(error) : nodes.adopt(connection, 1, (refused) => (refused ? reject(refused) : resolve())))))
      const [answer] = await connection.promise().query('SELECT @@session.time_zone AS zone')
      assert.equal(answer[0].zone, '+00:00')
    } finally {
      connection.destroy()
    }
  }).skip(sqlite(), ON_SQLITE)

  test("a UTC time in Berlin's spring-forward hour is written and read back as it is", async ({ assert }) => {
    // On a server set to Europe/Berlin (mariadbd started with TZ=Europe/Berlin) this was refused: 1292
    const times = ['2026-03-29 02:30:00', '2026-10-25 02:30:00']
    const ids = await db.transaction(async (trx) => {
      const made: number[] = []
      for (const at of times) made.push(Number((await trx.table('audit_logs').insert({ action: 'time_zone.check', created_at: at }))[0]))
      return made
    })
    try {
      const read = await db.from('audit_logs').whereIn('id', ids).orderBy('id').select(db.raw('CAST(created_at AS CHAR) AS text'), 'created_at')
      assert.deepEqual(read.map((r) => r.text), times)
      assert.deepEqual(read.map((r) => (r.created_at as Date).toISOString().slice(0, 19).replace('T', ' ')), times)
      // Ranges compare the instants in order across the fall-back hour
      assert.equal(Number((await db.from('audit_logs').whereIn('id', ids).where('created_at', '>', '2026-10-25 01:59:59').count('* as n'))[0].n), 1)
    } finally {
      await db.from('audit_logs').whereIn('id', ids).delete()
    }
  }).skip(sqlite(), ON_SQLITE)

  test('after the migrations no column is a TIMESTAMP (a migration uses .dateTime(), not .timestamp())', async ({ assert }) => {
    const left = await rows("SELECT CONCAT(table_name, '.', column_name) AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type = 'timestamp' ORDER BY 1")
    assert.deepEqual(
      left.map((r) => r.name),
      [],
      'TIMESTAMP columns take the session time zone and end in 2038: declare them with .dateTime() (docs/architecture.md)'
    )
  }).skip(sqlite(), ON_SQLITE)

  test('a database from before 0148, written on a server in +05:00, keeps every UTC time the app wrote', async ({ assert }) => {
    const target = await scratchTarget()
    // The migrations up to 0147, from a folder of their own: 0148 is run by hand below
    const folder = app.makePath('tmp', `migrations-before-0148-${randomUUID().slice(0, 8)}`)
    mkdirSync(folder, { recursive: true })
    const config: any = db.manager.get(target.name)!.config
    let writer: mysql.Connection | undefined
    try {
      for (const file of readdirSync(app.makePath('database/migrations')).filter((f) => /^\d{4}_.*\.ts$/.test(f) && f < '0148')) {
        copyFileSync(app.makePath('database/migrations', file), join(folder, file))
      }
      db.manager.release(target.name)
      db.manager.add(target.name, { ...config, migrations: { naturalSort: true, paths: [folder] } })
      const runner = new MigrationRunner(db, app, { direction: 'up', connectionName: target.name })
      await runner.run()
      if (runner.error) throw runner.error
      const before = await rows("SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type = 'timestamp'", [], target.name)
      assert.isAbove(Number(before[0].n), 70, 'the old schema has its TIMESTAMP columns')

      // The old app on a server whose zone is +05:00: its UTC text taken as +05:00 by the server
      const { host, port, user, password, database } = config.connection
      writer = await mysql.createConnection({ host, port, user, password, database })
      await writer.query("SET SESSION time_zone = '+05:00'")
      await writer.query('SET FOREIGN_KEY_CHECKS = 0')
      const sale = ['2026-03-29 02:30:00', '2026-10-25 01:30:00', '2038-01-19 03:14:07']
      for (const [i, at] of sale.entries()) {
        await writer.query(
          "INSERT INTO sales (id, store_id, register_id, user_id, status, created_at, updated_at, completed_at) VALUES (?, 1, 1, 1, 'completed', ?, ?, ?)",
          [i + 1, at, at, at]
        )
      }
      await writer.query("INSERT INTO audit_logs (id, action, created_at) VALUES (1, 'sale.completed', '2026-03-29 02:59:59')")
      // A view with a time column (a DBA's, a plugin's) is no table to ALTER; a zero-date default
      // (an older MariaDB gave a table's later NOT NULL TIMESTAMPs one) fails as a DATETIME's under NO_ZERO_DATE
      await writer.query('CREATE VIEW audit_times AS SELECT id, created_at FROM audit_logs')
      await writer.query("SET SESSION sql_mode = ''")
      await writer.query("CREATE TABLE plugin_zero_dates (id INT PRIMARY KEY, made_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, seen_at TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00')")
      await writer.end()
      writer = undefined

      const altered = await timestampsToDatetime(db.connection(target.name), '+05:00')
      assert.isAbove(altered, 20)
      const after = await rows("SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type = 'timestamp'", [], target.name)
      assert.equal(Number(after[0].n), 0)

      // Read by the app's own connection (UTC): the same instants, as text and as dates
      const read = await rows('SELECT CAST(completed_at AS CHAR) AS text, completed_at AS at FROM sales ORDER BY id', [], target.name)
      assert.deepEqual(read.map((r) => r.text), sale)
      assert.deepEqual(read.map((r) => (r.at as Date).toISOString()), sale.map((at) => `${at.replace(' ', 'T')}.000Z`))
      const audit = await rows('SELECT CAST(created_at AS CHAR) AS text FROM audit_logs', [], target.name)
      assert.equal(audit[0].text, '2026-03-29 02:59:59')
      // The columns kept their nullability (completed_at may be null, created_at not)
      const nullable = await rows(
        "SELECT column_name AS name, is_nullable AS n, data_type AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'sales' AND column_name IN ('completed_at', 'created_at') ORDER BY 1",
        [],
        target.name
      )
      assert.deepEqual(nullable.map((c) => [c.name, c.n, c.type]), [['completed_at', 'YES', 'datetime'], ['created_at', 'NO', 'datetime']])
      const zero = await rows("SELECT column_name AS name, data_type AS type, column_default AS fallback FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'plugin_zero_dates' AND column_name <> 'id' ORDER BY 1", [], target.name)
      assert.deepEqual(zero.map((c) => [c.name, c.type, c.fallback === null || /^null$/i.test(String(c.fallback)) ? null : 'kept']), [['made_at', 'datetime', 'kept'], ['seen_at', 'datetime', null]])
      assert.equal((await rows('SELECT CAST(created_at AS CHAR) AS text FROM audit_times', [], target.name))[0].text, '2026-03-29 02:59:59')
      // The app's pool connection the conversion used is back in UTC
      assert.equal((await rows('SELECT @@session.time_zone AS zone', [], target.name))[0].zone, '+00:00')
    } finally {
      await writer?.end().catch(() => {})
      await target.drop()
      rmSync(folder, { recursive: true, force: true })
    }
  })
    .skip(sqlite(), ON_SQLITE)
    .timeout(180_000)
})
