import { DateTime } from 'luxon'
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { gunzipSync, gzipSync } from 'node:zlib'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
export { joinEveryStore } from '#tests/fixtures'

/*
| Backups are tested through the real commands (child processes of `node ace`, on the test run's
| own database: SQLite file or MariaDB) and a second database to restore into.
*/

export interface Run {
  code: number
  out: string
}

/** Runs `node ace <args>` with the test run's environment plus `extra` */
/**
 * Runs an ace command in a child process. One that has not ended after `timeoutMs` is killed and
 * answers code 124 with what it printed so far: a hung backup or restore fails its test with its
 * own output, instead of the test's time limit with none (as once in CI).
 */
export function ace(args: string[], extra: Record<string, string> = {}, onOutput?: (text: string) => void, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['ace.js', ...args], {
      cwd: app.makePath(),
      // The test plugins' tables (tests/functional/plugins) are restored with their migrations
      env: { PLUGINS_PATH: 'plugins:tests/fixtures/plugins', ...process.env, ...extra, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own: a command that hangs is killed with what it started (pos:start's
      // server, which outlived it on its port)
      detached: true,
    })
    let out = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }, timeoutMs)
    child.stdout.on('data', (chunk) => {
      out += chunk
      onOutput?.(out)
    })
    child.stderr.on('data', (chunk) => (out += chunk))
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(timedOut ? { code: 124, out: `${out}\n[node ace ${args.join(' ')}: killed after ${timeoutMs / 1000} s]` } : { code: code ?? 1, out })
    })
  })
}

export const lastLine = (run: Run) => run.out.trim().split('\n').pop()!.trim()

export const sqlite = () => env.get('DB_CONNECTION') === 'sqlite'

/**
 * An empty database of its own for a restore: a new SQLite file, or <DB_DATABASE>_restore on
 * MariaDB (created fresh). Returns the environment a child needs and a Lucid connection to it.
 */
export async function scratchTarget() {
  const tag = randomUUID().slice(0, 8)
  const primary: any = db.manager.get(db.primaryConnectionName)!.config
  const name = `backup_target_${tag}`
  if (sqlite()) {
    const file = app.makePath('tmp', `restore-${tag}.sqlite3`)
    db.manager.add(name, { ...primary, connection: { filename: file }, pool: undefined })
    return { name, env: { SQLITE_PATH: file } as Record<string, string>, drop: async () => close(name, () => rmSqlite(file)) }
  }
  const database = `${primary.connection.database}_restore`
  await db.rawQuery(`DROP DATABASE IF EXISTS \`${database}\``)
  await db.rawQuery(`CREATE DATABASE \`${database}\``)
  db.manager.add(name, { ...primary, connection: { ...primary.connection, database } })
  return { name, env: { DB_DATABASE: database } as Record<string, string>, drop: async () => close(name, () => db.rawQuery(`DROP DATABASE IF EXISTS \`${database}\``)) }
}

async function close(name: string, then: () => unknown) {
  await db.manager.close(name)
  db.manager.release(name)
  await then()
}

async function rmSqlite(file: string) {
  const { rmSync } = await import('node:fs')
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
}

/**
 * Rewrites a backup's data lines with `edit` and, when `reseal`, recomputes its checksum and
 * manifest as someone covering their tracks would: only the hash chain can tell then.
 */
export function rewriteBackup(from: string, to: string, edit: (lines: any[], manifest: any) => void, reseal = true) {
  const lines = gunzipSync(readFileSync(from)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l))
  const manifestLine = lines.pop()
  edit(lines, manifestLine.manifest)
  const body = lines.map((l) => JSON.stringify(l) + '\n').join('')
  if (reseal) manifestLine.manifest.sha256 = createHash('sha256').update(body).digest('hex')
  writeFileSync(to, gzipSync(body + JSON.stringify(manifestLine) + '\n'))
}

/** Applies `change` to the first row of `table` that `match` picks (by column name) */
export function editRow(lines: any[], table: string, match: (row: Record<string, any>) => boolean, change: (row: Record<string, any>) => void) {
  let columns: string[] | null = null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (!Array.isArray(line)) {
      columns = line.table === table ? line.columns : null
      continue
    }
    if (!columns) continue
    const row = Object.fromEntries(columns.map((c, j) => [c, line[j]]))
    if (match(row)) {
      change(row)
      lines[i] = columns.map((c) => row[c])
      return
    }
  }
  throw new Error(`no row of ${table} matched`)
}

/** A backup's lines as a version before a migration wrote them: the migration out of its schema, and the table it made */
export function withoutMigration(lines: any[], manifest: any, migration: string, table: string) {
  for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !name.includes(migration))
  const at = lines.findIndex((line) => !Array.isArray(line) && line.table === table)
  let end = at + 1
  while (end < lines.length && Array.isArray(lines[end])) end++
  lines.splice(at, end - at)
  delete manifest.tables[table]
}

/**
 * Adds rows to one table of a backup's lines (by column name; a column not given is null) and
 * counts them in the manifest: what someone crafting a file would do.
 */
export function addRows(lines: any[], manifest: any, table: string, rows: Record<string, unknown>[]) {
  const at = lines.findIndex((line) => !Array.isArray(line) && line.table === table)
  if (at < 0) throw new Error(`the backup has no table ${table}`)
  const columns: string[] = lines[at].columns
  lines.splice(at + 1, 0, ...rows.map((row) => columns.map((c) => row[c] ?? null)))
  manifest.tables[table] = (manifest.tables[table] ?? 0) + rows.length
}

/**
 * The store's days rolled up through today, as on the day after: a backup then carries its summary
 * rows. Today is still open to writes, so nothing may be sold on it after this (a sale would not
 * reach its summaries)
 */
export async function rollUpToday(store: TestStore['store']) {
  const { rollUpDays } = await import('#reports/day_rollup')
  await rollUpDays(store, { now: DateTime.now().setZone(store.timeZone).plus({ days: 1 }).startOf('day').plus({ hours: 2 }) })
}

/** A store with two sales through the checkout, so its chain and ledger have something in them */
export async function sellingStore(): Promise<TestStore> {
  const { sellFor } = await import('#tests/functional/backoffice/helpers')
  const fixture = await createStore()
  const product = await createProduct(fixture, { stock: 50 })
  await sellFor(fixture, [{ product, quantity: 2 }])
  await sellFor(fixture, [{ product, quantity: 1 }])
  return fixture
}
