import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { ace } from '../backups/helpers.js'

/*
| `npm start` (pos:start) with a setting that is wrong: one line naming the variable, exit 1, no
| server. A short APP_KEY printed the encrypter's exception twice with its stack, PORT=abc or
| DB_CONNECTION=postgres a stack and a code frame of start/env.ts, a SQLITE_PATH whose folder
| cannot be made a stack from config/database.ts, one whose folder cannot be written "unable to
| open database file" under a pool warning's stack, and BACKUP_EVERY=banana started a server that
| never backed up (one error line in its log).
*/

const run = promisify(execFile)

test.group('Configuration errors at the start', (group) => {
  let dir: string
  group.setup(async () => {
    dir = await mkdtemp(join(app.makePath('tmp'), 'config-errors-'))
    return async () => {
      await run('chattr', ['-i', join(dir, 'locked')]).catch(() => {})
      await run('chattr', ['-i', join(dir, 'app', 'storage')]).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    }
  })

  /** pos:start with `settings`: its exit code and the lines it printed */
  async function start(settings: Record<string, string>) {
    const port = String(Number(env.get('PORT')) + 35)
    const result = await ace(['pos:start'], { PORT: port, BACKUP_EVERY: '0', ...settings }, undefined, 45_000)
    return { code: result.code, lines: result.out.split('\n').map((line) => line.trim()).filter(Boolean), out: result.out }
  }

  const cases: { name: string; settings: Record<string, string>; says: string }[] = [
    { name: 'APP_KEY too short', settings: { APP_KEY: 'short' }, says: 'Configuration error: APP_KEY must be at least 16 characters long' },
    { name: 'PORT not a number', settings: { PORT: 'abc' }, says: 'Configuration error: PORT must be a port number from 1 to 65535 (it is "abc")' },
    { name: 'PORT out of range', settings: { PORT: '99999' }, says: 'Configuration error: PORT must be a port number from 1 to 65535 (it is "99999")' },
    { name: 'DB_CONNECTION unknown', settings: { DB_CONNECTION: 'postgres' }, says: 'Configuration error: "DB_CONNECTION" env variable must be one of "sqlite,mysql"' },
    { name: 'BACKUP_EVERY not a duration', settings: { BACKUP_EVERY: 'banana' }, says: 'Configuration error: BACKUP_EVERY must be a duration' },
    // Each of these three printed a stack with a code frame (pino's level check, proxy-addr), or for
    // METRICS_ALLOW started a server whose /metrics refused every address
    { name: 'LOG_LEVEL not a level', settings: { LOG_LEVEL: 'verbose' }, says: 'Configuration error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (it is "verbose")' },
    { name: 'TRUSTED_PROXIES naming a host', settings: { TRUSTED_PROXIES: '127.0.0.1,nginx.local' }, says: 'Configuration error: TRUSTED_PROXIES must be addresses or CIDR ranges (or loopback, linklocal, uniquelocal), comma-separated: "nginx.local" is not one' },
    { name: 'INSTALLATION_ID with a space', settings: { INSTALLATION_ID: 'shop north' }, says: 'Configuration error: INSTALLATION_ID must be letters, digits, - and _, up to 64 characters (it is "shop north")' },
    { name: 'METRICS_ALLOW with a range', settings: { METRICS_ALLOW: '127.0.0.1,10.0.0.0/24' }, says: 'Configuration error: METRICS_ALLOW must be addresses, comma-separated (no ranges, no names): "10.0.0.0/24" is not one' },
  ]
  test('{name}: one line naming it, exit 1')
    .with(cases)
    .run(async ({ assert }, { settings, says }) => {
      const { code, lines, out } = await start(settings)
      assert.equal(code, 1, out)
      assert.lengthOf(lines, 1, out)
      assert.include(lines[0], says)
    })
    .timeout(60_000)

  test('SQLITE_PATH whose folder cannot be made, or cannot be written: one line naming it, exit 1', async ({ assert }) => {
    // /etc/hostname is a file: no folder can be made under it, not even by root
    const unmade = await start({ DB_CONNECTION: 'sqlite', SQLITE_PATH: '/etc/hostname/pos/pos.sqlite3' })
    assert.equal(unmade.code, 1, unmade.out)
    assert.deepEqual(unmade.lines, ['Configuration error: SQLITE_PATH: its folder /etc/hostname/pos cannot be made (ENOTDIR)'])

    // A folder nobody may write (immutable: root too)
    const locked = join(dir, 'locked')
    await mkdir(locked)
    await run('chattr', ['+i', locked])
    const unwritable = await start({ DB_CONNECTION: 'sqlite', SQLITE_PATH: join(locked, 'pos.sqlite3') })
    assert.equal(unwritable.code, 1, unwritable.out)
    assert.lengthOf(unwritable.lines, 1, unwritable.out)
    assert.include(unwritable.lines[0], `SQLITE_PATH: its folder ${locked} cannot be written (EPERM)`)
    assert.notInclude(unwritable.out, '    at ')
  }).timeout(120_000)

  test('a MySQL/MariaDB login the server refuses: one line naming DB_USER and DB_PASSWORD, exit 1', async ({ assert }) => {
    // The machine's MariaDB (on both runs: the SQLite one reaches it too) and a login it refuses.
    // Through the pool, knex's "Acquire connection error" and mysql2's stack came under the line
    const refused = await start({
      DB_CONNECTION: 'mysql',
      DB_HOST: env.get('DB_HOST', '127.0.0.1'),
      DB_USER: 'pos_refused_login',
      DB_PASSWORD: 'not-the-password',
      DB_DATABASE: 'pos_refused_login',
    })
    assert.equal(refused.code, 1, refused.out)
    assert.lengthOf(refused.lines, 1, refused.out)
    assert.include(refused.lines[0], 'Configuration error: the database server refused DB_USER "pos_refused_login" with this DB_PASSWORD (Access denied for user')
    assert.notInclude(refused.out, 'Acquire connection')
  }).timeout(60_000)

  test('a cluster none of whose nodes answer: one line naming DB_HOSTS (not the unused DB_HOST), exit 1', async ({ assert }) => {
    const closed = [Number(process.env.PORT) + 28, Number(process.env.PORT) + 30].map((port) => `127.0.0.1:${port}`).join(',')
    const down = await start({ DB_CONNECTION: 'mysql', DB_HOSTS: closed, DB_DATABASE: 'pos_cluster_down' })
    assert.equal(down.code, 1, down.out)
    assert.include(down.out, `The database server (DB_HOSTS ${closed}) cannot be reached`)
    assert.notInclude(down.out, 'DB_HOST 127.0.0.1:3306')
  }).timeout(60_000)

  test('no APP_KEY and a storage/ the app may not write (its key cannot be made): one line naming both, exit 1', async ({ assert }) => {
    // start/env.ts makes the key in <app>/storage/app_key on first start; here an app root whose
    // storage/ is immutable (a `chown pos:pos storage` forgotten, a read-only mount). It printed the
    // EPERM with its stack and a code frame of start/app_key.ts
    const storage = join(dir, 'app', 'storage')
    await mkdir(storage, { recursive: true })
    await run('chattr', ['+i', storage])
    const root = `file://${join(dir, 'app')}/`
    const script = `import { ensureAppKey } from '#start/app_key'; ensureAppKey(new URL(${JSON.stringify(root)})); console.log('started')`
    const { APP_KEY, ...withoutKey } = process.env
    const result = await run(process.execPath, ['--import', '@poppinss/ts-exec', '--input-type=module', '-e', script], { cwd: app.makePath(), env: withoutKey }).then(
      ({ stdout, stderr }) => ({ code: 0, out: stdout + stderr }),
      (error: any) => ({ code: error.code as number, out: `${error.stdout}${error.stderr}` })
    )
    const lines = result.out.split('\n').filter(Boolean)
    assert.equal(result.code, 1, result.out)
    assert.lengthOf(lines, 1, result.out)
    assert.include(lines[0], `Configuration error: APP_KEY is not set, and ${join(storage, 'app_key')} cannot be made (EPERM)`)
    assert.include(lines[0], 'set APP_KEY')
  }).timeout(60_000)

  test('the ace commands the docs give an admin, with a login the server refuses: one line, exit 1, no stack', async ({ assert }) => {
    // deploy.md and backups.md run these by hand (an upgrade, a move to MariaDB); each printed
    // knex's "Acquire connection error" warnings with mysql2's stack, and the lucid commands an
    // error with its stack under them
    const refused = { DB_CONNECTION: 'mysql', DB_HOST: env.get('DB_HOST', '127.0.0.1'), DB_USER: 'pos_refused_login', DB_PASSWORD: 'not-the-password', DB_DATABASE: 'pos_refused_login' }
    for (const args of [['migration:run', '--force'], ['audit:verify'], ['pos:summaries', '--check'], ['pos:restore', 'tmp/no-such-backup.jsonl.gz']]) {
      const result = await ace(args, { ...refused, BACKUP_EVERY: '0' }, undefined, 45_000)
      const lines = result.out.split('\n').map((line) => line.trim()).filter(Boolean)
      assert.equal(result.code, 1, `${args[0]}: ${result.out}`)
      assert.lengthOf(lines, 1, `${args[0]}: ${result.out}`)
      assert.include(lines[0], 'Configuration error: the database server refused DB_USER "pos_refused_login" with this DB_PASSWORD (Access denied for user', args[0])
      assert.notInclude(result.out, 'Acquire connection', args[0])
    }
  }).timeout(240_000)

  test('the commands that read a store, pointed at no store (the settings not loaded): one line, exit 1, no file made', async ({ assert }) => {
    // Run without /etc/pos/pos.env (docs/deploy.md), a command uses SQLite in storage/: audit:verify
    // and pos:summaries printed "no such table: registers" with a stack and a code frame, and left
    // an empty database file behind; pos:backup said "unable to open database file"
    const file = join(dir, 'no-store', 'pos.sqlite3')
    await mkdir(join(dir, 'no-store'), { recursive: true })
    for (const args of [['audit:verify'], ['pos:summaries', '--check'], ['pos:backup', '--to', join(dir, 'no-store', 'b.jsonl.gz')]]) {
      const result = await ace(args, { DB_CONNECTION: 'sqlite', SQLITE_PATH: file, BACKUP_EVERY: '0' }, undefined, 45_000)
      const lines = result.out.split('\n').map((line) => line.trim()).filter(Boolean)
      assert.equal(result.code, 1, `${args[0]}: ${result.out}`)
      assert.lengthOf(lines, 1, `${args[0]}: ${result.out}`)
      assert.equal(lines[0], `Configuration error: there is no POS database at ${file} (DB_CONNECTION sqlite, SQLITE_PATH): are the server's settings loaded? (docs/deploy.md)`, args[0])
      assert.isFalse(existsSync(file), `${args[0]} made ${file}`)
    }
  }).timeout(240_000)
})
