import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { backupDir } from '#platform/backup_folder'

/*
| A restore between dropping the tables and committing the rows must not stop halfway. Ctrl-C there
| ended `pos:restore` with the schema half built and no rows (130, not a word), and `npm start`
| then ran the rest of the migrations and offered /setup to the first visitor. Now SIGINT and
| SIGTERM are said and waited out, and a marker in BACKUP_DIR (restore-in-progress.json, naming
| the database) outlives what no process can catch (kill -9, a power cut): `pos:start` refuses to
| serve that database until a restore of it has finished.
*/

const MARKER = 'restore-in-progress.json'

interface RestoreMarker {
  database: string
  file: string
  replaced: string | null
  startedAt: string
}

/** Which database a connection is, stable across runs (not its server's version) */
function databaseKey(connectionName = db.primaryConnectionName) {
  const config: any = db.manager.get(connectionName)!.config
  const c = config.connection ?? {}
  return config.client === 'better-sqlite3' ? `sqlite:${resolve(c.filename)}` : `mysql:${c.socketPath ?? `${c.host}:${c.port ?? 3306}`}/${c.database}`
}

export function markRestoreStarted(file: string, replaced: string | null, connectionName?: string) {
  const marker: RestoreMarker = { database: databaseKey(connectionName), file: resolve(file), replaced, startedAt: new Date().toISOString() }
  mkdirSync(backupDir(), { recursive: true, mode: 0o700 })
  writeFileSync(join(backupDir(), MARKER), JSON.stringify(marker) + '\n', { mode: 0o600 })
}

export function markRestoreEnded() {
  rmSync(join(backupDir(), MARKER), { force: true })
}

/** What to say when a restore of this database did not finish, or null */
export function interruptedRestore(connectionName?: string): string | null {
  const path = join(backupDir(), MARKER)
  if (!existsSync(path)) return null
  let marker: RestoreMarker
  try {
    marker = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return `${path} is there but unreadable: a restore did not finish; restore a backup with node ace pos:restore FILE --force, then start`
  }
  if (marker.database !== databaseKey(connectionName)) return null
  const back = marker.replaced ? ` (or ${marker.replaced}, what it replaced)` : ''
  return `a restore of ${marker.file} started at ${marker.startedAt} did not finish: the database may be half-restored. Run node ace pos:restore ${marker.file} --force again${back}, then start`
}

/** SIGINT and SIGTERM while `work` runs: reported, not obeyed (the process would stop halfway) */
export async function withoutStopping<T>(onSignal: (signal: NodeJS.Signals) => void, work: () => Promise<T>): Promise<T> {
  const handler = (signal: NodeJS.Signals) => onSignal(signal)
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  try {
    return await work()
  } finally {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
