import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { parseBackupInterval } from '#start/configuration_error'
import { BackupWriter, type BackupManifest } from '#backups/backup_format'
import { dbTimestamp, MYSQL_SESSION_ZONE } from '#platform/db_time'
import { BACKUP_NAME, backupDir } from '#platform/backup_folder'

/*
| pos:backup, the scheduled backups and the back office's "Back up now" all come here.
|
| Consistency while tills sell: every table is read inside ONE read transaction on a connection
| of the backup's own, so the file is the database as it was at one instant.
|  - SQLite (WAL): a read transaction on a second connection sees one snapshot and blocks no
|    writer (the app's own connection pool holds a single connection: it is never borrowed).
|  - MariaDB/MySQL: START TRANSACTION WITH CONSISTENT SNAPSHOT at REPEATABLE READ on a mysql2
|    connection of its own, the same thing mariadb-dump --single-transaction does, but written
|    in the engine-neutral format of backup_format.ts (no mariadb client binary needed, and the
|    file restores into SQLite as well, which is how pos:backup-verify checks it).
*/

const LOG_FILE = 'backups.log.jsonl'

export interface BackupLogEntry {
  at: string
  file: string
  bytes: number
  ok: boolean
  error?: string
  reason: string
  ms: number
  rows?: number
}

/** "24h", "30m", "90s", "2d" or a number of hours; 0 turns scheduled backups off; NaN: not a duration */
export function backupInterval(value = env.get('BACKUP_EVERY') ?? '24h'): number {
  // (start/env.ts refuses to start on one that is not a duration)
  return parseBackupInterval(value)
}

export function backupsKept() {
  return Math.max(1, env.get('BACKUP_KEEP') ?? 7)
}

export function appVersion(): string {
  return JSON.parse(readFileSync(app.makePath('package.json'), 'utf8')).version
}

export function engineOf(connectionName = db.primaryConnectionName): 'sqlite' | 'mysql' {
  const client = db.manager.get(connectionName)?.config.client
  return client === 'better-sqlite3' || client === 'sqlite3' ? 'sqlite' : 'mysql'
}

/** Reads tables one after the other inside one consistent snapshot */
interface Snapshot {
  tables(): Promise<string[]>
  rows(table: string): AsyncGenerator<{ columns: string[] } | unknown[]>
  close(): Promise<void>
}

interface SqliteStatement {
  raw(on: boolean): SqliteStatement
  pluck(): SqliteStatement
  all(): unknown[]
  columns(): { name: string; type: string | null }[]
  iterate(): IterableIterator<unknown[]>
}
interface SqliteConnection {
  pragma(text: string): unknown
  exec(sql: string): void
  prepare(sql: string): SqliteStatement
  inTransaction: boolean
  close(): void
}

async function sqliteSnapshot(filename: string): Promise<Snapshot> {
  // (better-sqlite3 ships no types and the project installs none: the few calls used are typed here)
  const { default: Database } = (await import('better-sqlite3' as string)) as { default: new (file: string, options: object) => SqliteConnection }
  const conn = new Database(filename, { readonly: true, fileMustExist: true })
  conn.pragma('busy_timeout = 5000')
  conn.exec('BEGIN')
  return {
    async tables() {
      return conn.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[]
    },
    async *rows(table) {
      const statement = conn.prepare(`select * from "${table.replaceAll('"', '""')}"`).raw(true)
      const columns = statement.columns()
      yield { columns: columns.map((c) => c.name) }
      // A JS Date bound in a raw insert lands in SQLite as epoch milliseconds: written here as
      // the text every other timestamp is, so MariaDB (and the models) can read it
      const times = columns.flatMap((c, i) => (/date|time/i.test(c.type ?? '') ? [i] : []))
      for (const row of statement.iterate()) {
        for (const i of times) if (typeof row[i] === 'number') row[i] = dbTimestamp(new Date(row[i] as number))
        yield row
      }
    },
    async close() {
      if (conn.inTransaction) conn.exec('COMMIT')
      conn.close()
    },
  }
}

async function mysqlSnapshot(config: any): Promise<Snapshot> {
  const mysql = await import('mysql2')
  // stream: on a cluster (DB_HOSTS) the socket goes to the node the app writes through, as the
  // app's own connections do (config/database.ts), not to DB_HOST
  const { socketPath, host, port, user, password, database, stream } = config
  // dateStrings: timestamps come back as the text the app wrote, whatever the server's time zone.
  // DATETIME columns read the same in any zone; a TIMESTAMP column reads right in the zone it was
  // written under: the server's own before migration 0148 (every column then a TIMESTAMP), UTC
  // after it (the app's sessions; a plugin's table made since may still have one)
  const conn = mysql.createConnection({ socketPath, host, port, user, password, database, stream, dateStrings: true, supportBigNumbers: true })
  const query = (sql: string) => conn.promise().query(sql)
  // (An empty database, a fresh machine's, has no adonis_schema yet: nothing converted)
  const [converted]: any = await query("select 1 from adonis_schema where name like '%0148_timestamps_as_datetime'").catch((error: any) => {
    if (error?.code === 'ER_NO_SUCH_TABLE') return [[]]
    throw error
  })
  if (converted.length) await query(`SET SESSION ${MYSQL_SESSION_ZONE}`)
  await query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')
  await query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
  return {
    async tables() {
      const [rows]: any = await query("select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' order by table_name")
      return rows.map((r: any) => r.name ?? r.NAME)
    },
    async *rows(table) {
      const stream = conn.query({ sql: `select * from \`${table.replaceAll('`', '``')}\``, rowsAsArray: true }).stream({ highWaterMark: 2000 })
      const fields = new Promise<string[]>((resolve) => stream.once('fields', (f: any[]) => resolve(f.map((x) => x.name))))
      let first = true
      for await (const row of stream) {
        if (first) yield { columns: await fields }
        first = false
        yield row as unknown[]
      }
      // An empty table still needs its columns, read from the schema
      if (first) {
        const [cols]: any = await query(`select column_name as name from information_schema.columns where table_schema = database() and table_name = ${conn.escape(table)} order by ordinal_position`)
        yield { columns: cols.map((c: any) => c.name ?? c.NAME) }
      }
    },
    async close() {
      await query('COMMIT').catch(() => {})
      await conn.promise().end()
    },
  }
}

/** Writes a backup of a connection's database to `path` (written beside it, then renamed) */
export async function writeBackup(path: string, connectionName = db.primaryConnectionName, onSnapshot?: () => void): Promise<BackupManifest> {
  const engine = engineOf(connectionName)
  const config: any = db.manager.get(connectionName)!.config
  const snapshot = engine === 'sqlite' ? await sqliteSnapshot(config.connection.filename) : await mysqlSnapshot(config.connection)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const partial = `${path}.partial`
  let writer: BackupWriter | undefined
  try {
    // (the first read fixes SQLite's snapshot; MariaDB's was fixed by START TRANSACTION)
    const tables = await snapshot.tables()
    onSnapshot?.()
    let schema: string[] = []
    if (tables.includes('adonis_schema')) {
      // Read in the snapshot too: the schema version of exactly these rows
      const names: string[] = []
      let nameAt = -1
      for await (const item of snapshot.rows('adonis_schema')) {
        if (!Array.isArray(item)) nameAt = item.columns.indexOf('name')
        else names.push(String(item[nameAt]))
      }
      schema = names
    }
    writer = new BackupWriter(partial, { format: 'open-pos-backup', version: 1, app: appVersion(), engine, createdAt: new Date().toISOString(), schema })
    await writer.start()
    for (const table of tables) {
      for await (const item of snapshot.rows(table)) {
        if (Array.isArray(item)) await writer.row(item)
        else await writer.table(table, item.columns)
      }
    }
    const manifest = await writer.finish()
    renameSync(partial, path)
    return manifest
  } catch (error) {
    await writer?.abort()
    rmSync(partial, { force: true })
    throw error
  } finally {
    await snapshot.close()
  }
}

function stamp(date = new Date()) {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')
}

/** `--to` naming a folder that is there: the backup goes into it under its usual name */
function backupTarget(to: string, name: string) {
  const path = resolve(to)
  return existsSync(path) && statSync(path).isDirectory() ? join(path, name) : path
}

/**
 * `--to` must lead into a folder that is there: making it put the backup of an admin who typed
 * the path of a USB disk that was not mounted on the root disk, in a folder made where the disk
 * was to be, and said nothing. Typed as the disk itself (`/media/usb`, or `/media/usb/`), a path
 * that is not there and not a backup file's name (…jsonl.gz) is a folder too: it was written as
 * a file called `usb`.
 */
function refuseMissingFolder(to: string, path: string) {
  const typedAsFolder = /[\\/]$/.test(to) || !path.endsWith('.jsonl.gz')
  const folder = typedAsFolder && !existsSync(path) ? path : dirname(path)
  if (!existsSync(folder)) {
    throw new Error(`the folder ${folder} does not exist (a disk not mounted?): --to names a folder that is there, or a new .jsonl.gz file in one`)
  }
}

/**
 * The backup's folder refusing the file, in words an admin acts on: "ENOSPC: no space left on
 * device, write" was all a full backup disk said (nothing of the failed backup is kept)
 */
function storageRefusal(error: NodeJS.ErrnoException, folder: string) {
  const said: Record<string, string> = {
    ENOSPC: 'is full: free space there',
    EDQUOT: 'is over its disk quota: free space there or raise the quota',
    EROFS: 'is on a disk mounted read-only: mount it read-write',
    EACCES: "may not be written by this user: give it the folder (its owner or mode)",
    EPERM: "may not be written by this user: give it the folder (its owner or mode)",
  }
  if (!error?.code || !said[error.code]) return null
  return new Error(`the folder ${folder} ${said[error.code]}, or back up to another folder (BACKUP_DIR, or pos:backup --to) (${error.code}); nothing of this backup was kept`)
}

/**
 * A backup into BACKUP_DIR (or `to`), recorded in the directory's log with its reason (manual,
 * scheduled, before-migrations, before-restore); old ones beyond BACKUP_KEEP are deleted
 * (pruneBackups), never the file named by `spare` (the one a restore is about to read).
 * A failure is logged too, then thrown.
 */
export async function runBackup(options: { to?: string; reason?: string; connectionName?: string; onSnapshot?: () => void; spare?: string } = {}) {
  const reason = options.reason ?? 'manual'
  const dir = backupDir()
  const suffix = reason === 'manual' || reason === 'scheduled' ? '' : `-${reason}`
  const name = `pos-backup-${stamp()}${suffix}.jsonl.gz`
  const path = options.to ? backupTarget(options.to, name) : join(dir, name)
  const started = Date.now()
  const entry: BackupLogEntry = { at: new Date().toISOString(), file: path, bytes: 0, ok: false, reason, ms: 0 }
  try {
    if (options.to) refuseMissingFolder(options.to, path)
    // A backup never replaces a file: `--to` naming the live SQLite database, or an earlier
    // backup, overwrote it with this one
    if (options.to && existsSync(path)) throw new Error(`${path} exists: a backup never replaces a file, name a new one`)
    const manifest = await writeBackup(path, options.connectionName, options.onSnapshot).catch((error) => {
      throw storageRefusal(error, dirname(path)) ?? error
    })
    entry.ok = true
    entry.bytes = statSync(path).size
    entry.rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
    return { path, manifest, bytes: entry.bytes }
  } catch (error) {
    entry.error = (error as Error).message
    throw error
  } finally {
    entry.ms = Date.now() - started
    try {
      // Owner only, as the backups themselves (a made folder too): the log names files and errors
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      appendFileSync(join(dir, LOG_FILE), JSON.stringify(entry) + '\n', { mode: 0o600 })
      chmodSync(join(dir, LOG_FILE), 0o600)
    } catch (error) {
      // The folder full or read-only: a failed backup's own error (thrown above) says more than
      // this one, which replaced it; a backup that worked is still whole
      logger.warn('backup log %s not written: %s', join(dir, LOG_FILE), (error as Error).message)
    }
    if (entry.ok && dirname(path) === dir) pruneBackups(backupsKept(), options.spare)
  }
}

/**
 * Deletes the oldest backups of BACKUP_DIR beyond BACKUP_KEEP, counting two kinds apart: the
 * regular ones (scheduled, manual) and the safety ones taken before a restore or migrations
 * (named `…-before-….jsonl.gz`). Counted together, three restores on a day pushed three of the
 * week's scheduled backups out (and a restore of the oldest kept file deleted that very file
 * before reading it). So each kind keeps its newest `keep`.
 */
export function pruneBackups(keep = backupsKept(), spare?: string) {
  const dir = backupDir()
  const files = backupFiles()
  const safety = files.filter((file) => isSafetyBackup(file.name))
  const regular = files.filter((file) => !isSafetyBackup(file.name))
  for (const file of [...regular.slice(keep), ...safety.slice(keep)]) {
    const path = join(dir, file.name)
    if (spare && resolve(spare) === path) continue
    rmSync(path, { force: true })
  }
}

/** A backup taken by the POS itself before a restore or migrations replace what it holds */
export function isSafetyBackup(name: string) {
  return /-before-[a-z-]+\.jsonl\.gz$/.test(name)
}

/** Backup files of BACKUP_DIR, newest first */
export function backupFiles() {
  const dir = backupDir()
  // BACKUP_DIR naming a file: no backups (the health check warns), not a 500 on the backups page
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return []
  return readdirSync(dir)
    .filter((name) => BACKUP_NAME.test(name))
    .map((name) => {
      const stat = statSync(join(dir, name))
      return { name, bytes: stat.size, at: stat.mtime }
    })
    .sort((a, b) => b.at.getTime() - a.at.getTime() || b.name.localeCompare(a.name))
}

/** The last attempts (newest first), each with whether its file is still there to download */
export function backupLog(limit = 20): (BackupLogEntry & { name: string; present: boolean })[] {
  const path = join(backupDir(), LOG_FILE)
  if (!existsSync(path)) return []
  const lines = readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).slice(-limit).reverse()
  return lines.flatMap((line) => {
    try {
      const entry: BackupLogEntry = JSON.parse(line)
      const name = basename(entry.file)
      return [{ ...entry, name, present: dirname(entry.file) === backupDir() && existsSync(entry.file) }]
    } catch {
      return []
    }
  })
}

/** Whether any table but the migrations' own holds a row */
export async function databaseIsEmpty(connectionName = db.primaryConnectionName) {
  const client = db.connection(connectionName)
  for (const table of await listTables(connectionName)) {
    if (table.startsWith('adonis_schema')) continue
    if (await client.from(table).first()) return false
  }
  return true
}

export async function listTables(connectionName = db.primaryConnectionName): Promise<string[]> {
  const client = db.connection(connectionName)
  if (engineOf(connectionName) === 'sqlite') {
    const rows = await client.rawQuery("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    return rows.map((r: any) => r.name)
  }
  const [rows] = await client.rawQuery("select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'")
  return rows.map((r: any) => r.name ?? r.NAME)
}

/**
 * pos:start: a backup before pending migrations change a database that holds data. Returns its
 * path, or null when there is nothing to migrate or nothing to keep.
 */
export async function backupBeforeMigrations(): Promise<string | null> {
  const { MigrationRunner } = await import('@adonisjs/lucid/migration')
  const runner = new MigrationRunner(db as any, app, { direction: 'up', connectionName: db.primaryConnectionName })
  const pending = (await runner.getList()).filter((m) => m.status === 'pending')
  if (!pending.length || (await databaseIsEmpty())) return null
  return (await runBackup({ reason: 'before-migrations' })).path
}
