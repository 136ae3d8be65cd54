import { access, readdir, stat } from 'node:fs/promises'
import { constants } from 'node:fs'
import { dirname, join } from 'node:path'
import { BaseCheck, DiskSpaceCheck, HealthChecks, Result } from '@adonisjs/core/health'
import type { HealthCheckResult } from '@adonisjs/core/types/health'
import { DbCheck } from '@adonisjs/lucid/database'
import { RedisCheck } from '@adonisjs/redis'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { isDraining } from '#platform/shutdown'
import { BACKUP_NAME, backupDir } from '#platform/backup_folder'

/*
| GET /health/ready: can this process serve sales? The database answers and has no pending
| migration; Redis answers when REDIS_HOST is set (when it does not, the app falls back to
| memory, so that is a warning, still ready); the database's and the backups' disks have room;
| the newest backup is not too old. The answer names each check and its state, and nothing else:
| load balancers call it without credentials.
*/

const BACKUP_MAX_AGE_HOURS = 26
const CHECK_TIMEOUT_MS = 3000

/** The SQLite file, or null for a server database */
function databaseFile(): string | null {
  const config: any = db.manager.get(db.primaryConnectionName)?.config
  return config?.client === 'better-sqlite3' ? (config.connection?.filename ?? null) : null
}

/** The folder of the SQLite file, or null for a server database (its disk is not ours to see) */
function databaseDir(): string | null {
  const file = databaseFile()
  return file ? dirname(file) : null
}

/**
 * Why the SQLite file's folder cannot be written (SQLite keeps its journal beside the file), or
 * null: `pos:start` says so and stops, where it said "unable to open database file" under a stack
 */
export async function sqliteFolderProblem(file: string | null = databaseFile()): Promise<string | null> {
  if (!file) return null
  try {
    await access(dirname(file), constants.W_OK)
    return null
  } catch (error) {
    return `SQLITE_PATH: its folder ${dirname(file)} cannot be written (${(error as NodeJS.ErrnoException).code}): SQLite keeps the database and its journal there`
  }
}

/**
 * A database that answers but cannot save (a read-only or immutable SQLite file or folder, a
 * server set read_only) is not ready: the check of reads said "ok" while every sale failed
 */
export class DatabaseWritableCheck extends BaseCheck {
  name = 'database_writable'
  constructor(private file: string | null = databaseFile()) {
    super()
  }
  async run(): Promise<HealthCheckResult> {
    try {
      if (this.file) {
        // The folder too: SQLite writes its journal beside the file
        for (const path of [this.file, dirname(this.file)]) await access(path, constants.W_OK)
        return Result.ok('The database file can be written')
      }
      const [rows] = await db.rawQuery('SELECT @@global.read_only AS read_only')
      return Number(rows?.[0]?.read_only) ? Result.failed('The database server is read-only: sales cannot be saved') : Result.ok('The database server takes writes')
    } catch (error) {
      // A file's error code says what is wrong with it; a server's error may name where it is (the
      // report is public), and the `database` check already says the server does not answer
      if (this.file) return Result.failed(`The database file cannot be written (${(error as NodeJS.ErrnoException).code}): sales cannot be saved`)
      return Result.failed('The database server could not be asked whether it takes writes')
    }
  }
}

class MigrationsCheck extends BaseCheck {
  name = 'migrations'
  async run(): Promise<HealthCheckResult> {
    try {
      const { MigrationRunner } = await import('@adonisjs/lucid/migration')
      const runner = new MigrationRunner(db, app, { direction: 'up', dryRun: true, connectionName: db.primaryConnectionName })
      const pending = await runner.getList()
      const count = pending.filter((file) => file.status === 'pending').length
      return count ? Result.failed(`${count} migration(s) pending`) : Result.ok('No pending migration')
    } catch {
      return Result.failed('Could not read the migrations')
    }
  }
}

/** Redis down is a warning: sessions, rate limits and live updates fall back to this process */
class OptionalRedisCheck extends BaseCheck {
  name = 'redis'
  #inner: RedisCheck
  #connection: { status: string; ioConnection: { connect(): Promise<void> } }
  constructor(connection: any) {
    super()
    this.#connection = connection
    this.#inner = new RedisCheck(connection)
  }
  async run(): Promise<HealthCheckResult> {
    // The connection is made on first use (lazyConnect, config/redis.ts); AdonisJS's check takes one
    // never made ("wait") for one that failed, so a server nobody had signed in to yet said
    // "Redis does not answer" after every start. Made here; a failure shows in the check below
    if (this.#connection.status === 'wait') await this.#connection.ioConnection.connect().catch(() => {})
    const result = await this.#inner.run().catch(() => Result.failed('Redis did not answer'))
    return result.status === 'ok' ? Result.ok('Redis answers') : Result.warning('Redis does not answer: this server falls back to memory')
  }
}

class BackupAgeCheck extends BaseCheck {
  name = 'backup_age'
  async run(): Promise<HealthCheckResult> {
    const dir = backupDir()
    let newest = 0
    try {
      // Backup files only: the folder's log (written by a failed backup too) said a failure was a recent backup
      for (const entry of (await readdir(dir)).filter((name) => BACKUP_NAME.test(name))) {
        const info = await stat(join(dir, entry)).catch(() => null)
        if (info && info.mtimeMs > newest) newest = info.mtimeMs
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Result.ok('No backup folder yet')
      return Result.warning(`The backup folder cannot be read (${(error as NodeJS.ErrnoException).code}): backups cannot be made`)
    }
    if (!newest) return Result.ok('No backup yet')
    const hours = (Date.now() - newest) / 3_600_000
    const result = hours > BACKUP_MAX_AGE_HOURS ? Result.warning(`The newest backup is ${Math.floor(hours)} h old`) : Result.ok('A recent backup exists')
    return result.mergeMetaData({ ageHours: Math.round(hours * 10) / 10 })
  }
}

/**
 * Scheduled backups into a folder that cannot be written (a read-only mount, an immutable folder)
 * failed every time while this page said "ok", until the newest backup was 26 h old. A warning:
 * the tills can still sell
 */
class BackupsWritableCheck extends BaseCheck {
  name = 'backups_writable'
  async run(): Promise<HealthCheckResult> {
    // A folder not made yet is made by the first backup, in its nearest existing parent
    let path = backupDir()
    for (;;) {
      try {
        await access(path, constants.W_OK)
        return Result.ok('Backups can be written')
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT' && dirname(path) !== path) {
          path = dirname(path)
          continue
        }
        return Result.warning(`The backup folder cannot be written (${code}): backups fail`)
      }
    }
  }
}

/**
 * The disk of BACKUP_DIR: a warning at 90%, and at 100% still only a warning. A full backup disk
 * answered 503 and took a server whose database was fine out of the load balancer, so a
 * failing backup stopped the tills; a full database disk fails `disk_database`
 */
export function backupDiskCheck(compute = () => freeSpace(backupDir())) {
  return new DiskSpaceCheck().as('disk_backups').compute(compute).warnWhenExceeds(90).failWhenExceeds(101)
}

/** A load balancer waits a few seconds at most: a check that hangs (a server gone) fails */
class TimeLimited extends BaseCheck {
  name: string
  #inner: BaseCheck
  #late: () => Result
  constructor(inner: BaseCheck, late = () => Result.failed(`No answer within ${CHECK_TIMEOUT_MS / 1000} s`)) {
    super()
    this.name = inner.name
    this.#inner = inner
    this.#late = late
  }
  async run(): Promise<HealthCheckResult> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<HealthCheckResult>((resolve) => (timer = setTimeout(() => resolve(this.#late()), CHECK_TIMEOUT_MS)))
    try {
      return await Promise.race([this.#inner.run(), late])
    } finally {
      clearTimeout(timer)
    }
  }
}

class DrainingCheck extends BaseCheck {
  name = 'accepting'
  async run(): Promise<HealthCheckResult> {
    return isDraining() ? Result.failed('Shutting down') : Result.ok('Accepting requests')
  }
}

async function buildChecks() {
  const checks: BaseCheck[] = [new DrainingCheck(), new TimeLimited(new DbCheck(db.connection()).as('database')), new TimeLimited(new DatabaseWritableCheck()), new TimeLimited(new MigrationsCheck())]
  const dbDir = databaseDir()
  if (dbDir) checks.push(new DiskSpaceCheck().as('disk_database').compute(() => freeSpace(dbDir)).warnWhenExceeds(90).failWhenExceeds(98))
  // A backup folder on a network mount that hangs must not hang the readiness: its checks are
  // time-limited too, and a late answer is a warning (backups are not what serves a sale)
  const backupsLate = () => Result.warning(`The backup folder did not answer within ${CHECK_TIMEOUT_MS / 1000} s`)
  checks.push(new TimeLimited(backupDiskCheck(), backupsLate), new TimeLimited(new BackupsWritableCheck(), backupsLate), new TimeLimited(new BackupAgeCheck(), backupsLate))
  if (env.get('REDIS_HOST')) {
    const redis = (await import('@adonisjs/redis/services/main')).default
    checks.push(new TimeLimited(new OptionalRedisCheck(redis.connection()), () => Result.warning('Redis does not answer: this server falls back to memory')))
  }
  return new HealthChecks().register(checks)
}

/** Free and total bytes of the disk holding a folder (or its nearest existing parent) */
async function freeSpace(dir: string) {
  const { statfs } = await import('node:fs/promises')
  let path = dir
  for (;;) {
    try {
      const s = await statfs(path)
      return { free: s.bavail * s.bsize, size: s.blocks * s.bsize }
    } catch (error) {
      if (dirname(path) === path) throw error
      path = dirname(path)
    }
  }
}

let checks: Promise<HealthChecks> | undefined
let tillChecks: HealthChecks | undefined

export interface Readiness {
  ready: boolean
  status: 'ok' | 'warning' | 'error'
  checks: { name: string; status: string; message: string; meta?: Record<string, unknown> }[]
}

/** Runs the readiness checks; only names, states, messages and harmless figures go out */
export async function readiness(): Promise<Readiness> {
  checks ??= buildChecks()
  return summary(await checks)
}

/**
 * Can a till sell through this server now: the database answers and takes writes, within 3 s.
 * The till's heartbeat asks it (resources/js/offline/net.js): /health/live answered while the
 * database was gone, and the till neither sold online nor went offline. Nothing unrelated to
 * selling counts here (an old backup, a pending migration, Redis, the backups' disk).
 */
export async function tillReadiness(): Promise<Readiness> {
  tillChecks ??= new HealthChecks().register([new TimeLimited(new DbCheck(db.connection()).as('database')), new TimeLimited(new DatabaseWritableCheck())])
  return summary(tillChecks)
}

async function summary(registered: HealthChecks): Promise<Readiness> {
  const report = await registered.run()
  return {
    ready: report.isHealthy,
    status: report.status,
    checks: report.checks.map((check) => ({
      name: check.name,
      status: check.status,
      // A failed database check's message may name the host: say only that it failed
      message: check.name === 'database' && check.status !== 'ok' ? 'The database does not answer' : check.message,
      ...(check.meta?.sizeInPercentage ? { meta: { usedPercent: check.meta.sizeInPercentage.used } } : {}),
      ...(check.meta?.ageHours !== undefined ? { meta: { ageHours: check.meta.ageHours } } : {}),
    })),
  }
}
