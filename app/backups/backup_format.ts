import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { chmod } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { createGunzip, createGzip } from 'node:zlib'

/*
| The backup file: one gzip'd stream of JSON lines, the same for SQLite and MariaDB, so a
| backup of either restores into either (that is how a store moves up from SQLite).
|
|   {"format":"open-pos-backup","version":1,"app":"0.1.0","engine":"sqlite","createdAt":"…","schema":[…]}
|   {"table":"sales","columns":["id","store_id",…]}     one header per table, then its rows
|   [1,3,…]                                               a row: values in the order of the columns
|   …
|   {"manifest":{…header…,"tables":{"sales":120,…},"sha256":"…"}}   always the last line
|
| sha256 covers every byte before the last line, uncompressed. Timestamps are the text the app
| writes ('yyyy-MM-dd HH:mm:ss', UTC) on both engines; a BLOB would be {"$b64":"…"}.
*/

export const FORMAT = 'open-pos-backup'
export const FORMAT_VERSION = 1

export interface BackupHeader {
  format: string
  version: number
  app: string
  engine: 'sqlite' | 'mysql'
  createdAt: string
  /** The migrations applied in the database that was backed up, in order */
  schema: string[]
}

export interface BackupManifest extends BackupHeader {
  tables: Record<string, number>
  sha256: string
}

type Value = string | number | null | { $b64: string }

function encodeValue(value: unknown): Value {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return { $b64: value.toString('base64') }
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return `${value.toISOString().slice(0, 10)} ${value.toISOString().slice(11, 19)}`
  if (typeof value === 'object') return JSON.stringify(value)
  return value as string | number
}

export function decodeValue(value: Value): unknown {
  if (value !== null && typeof value === 'object') return Buffer.from(value.$b64, 'base64')
  return value
}

/** Writes a backup file line by line, hashing what it writes; finish() appends the manifest */
export class BackupWriter {
  #gzip = createGzip({ level: 6 })
  #file: ReturnType<typeof createWriteStream>
  #hash = createHash('sha256')
  #tables: Record<string, number> = {}
  #table = ''
  #closed: Promise<unknown>
  #failed: Promise<never>

  constructor(
    private path: string,
    private header: BackupHeader
  ) {
    // Owner only, as storage/app_key is: a backup holds every password hash, token and customer
    this.#file = createWriteStream(path, { mode: 0o600 })
    this.#closed = once(this.#file, 'close')
    // A write error (disk full, a file that cannot be opened) fails the backup, at the next line
    // or at the end. The pipe stops on it, so the compressor's buffers stay full and a wait for
    // 'drain' never ended: the process exited 0, with no backup and no word said.
    this.#failed = new Promise((_, reject) => {
      this.#file.once('error', reject)
      this.#gzip.once('error', reject)
    })
    this.#closed.catch(() => {})
    this.#failed.catch(() => {})
    this.#gzip.pipe(this.#file)
  }

  async #line(data: unknown, hashed = true) {
    const text = JSON.stringify(data) + '\n'
    if (hashed) this.#hash.update(text)
    if (!this.#gzip.write(text)) await Promise.race([once(this.#gzip, 'drain'), this.#failed])
  }

  start() {
    return this.#line(this.header)
  }

  table(name: string, columns: string[]) {
    this.#table = name
    this.#tables[name] = 0
    return this.#line({ table: name, columns })
  }

  row(values: unknown[]) {
    this.#tables[this.#table]++
    return this.#line(values.map(encodeValue))
  }

  async finish(): Promise<BackupManifest> {
    const manifest: BackupManifest = { ...this.header, tables: this.#tables, sha256: this.#hash.digest('hex') }
    await this.#line({ manifest }, false)
    this.#gzip.end()
    await Promise.race([this.#closed, this.#failed])
    // The mode above applies to a new file only: a file left there before keeps its own
    await chmod(this.path, 0o600)
    return manifest
  }

  async abort() {
    this.#gzip.destroy()
    this.#file.destroy()
  }
}

export type BackupRecord =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'table'; table: string; columns: string[] }
  | { kind: 'row'; values: unknown[] }

export class BackupFormatError extends Error {}

/** Reads every line of a backup file: yields its records, then returns the manifest (checked) */
export async function* readBackup(path: string): AsyncGenerator<BackupRecord, { manifest: BackupManifest; actualSha256: string }> {
  const file = createReadStream(path)
  const gunzip = createGunzip()
  file.on('error', (error) => gunzip.destroy(error))
  const lines = createInterface({ input: file.pipe(gunzip), crlfDelay: Infinity })
  const hash = createHash('sha256')
  let previous: string | null = null
  let first = true
  try {
    for await (const line of lines) {
      if (previous !== null) {
        hash.update(previous + '\n')
        yield parseRecord(previous, first)
        first = false
      }
      previous = line
    }
  } catch (error) {
    // A damaged file's compressed data: said as what it is (zlib's "invalid distance too far back" says nothing)
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new BackupFormatError(`the file's compressed data is damaged (${(error as Error).message})`)
    throw error
  } finally {
    // Stopped early (a line refused): the rest of the file is not read. An error of it after this
    // (the damage further on) was emitted with no listener and killed the command
    lines.on('error', () => {})
    lines.close()
    gunzip.destroy()
    file.destroy()
  }
  let manifest: BackupManifest | undefined
  try {
    manifest = previous === null ? undefined : JSON.parse(previous).manifest
  } catch {}
  if (!manifest || typeof manifest.sha256 !== 'string') throw new BackupFormatError('the file has no manifest as its last line (cut short?)')
  return { manifest, actualSha256: hash.digest('hex') }
}

function parseRecord(line: string, first: boolean): BackupRecord {
  let data: any
  try {
    data = JSON.parse(line)
  } catch {
    throw new BackupFormatError(`a line is not JSON: ${line.slice(0, 80)}`)
  }
  if (first) {
    if (data?.format !== FORMAT) throw new BackupFormatError('this is not an open-pos backup')
    if (data.version > FORMAT_VERSION) throw new BackupFormatError(`backup format ${data.version} is newer than this POS reads (${FORMAT_VERSION})`)
    return { kind: 'header', header: data }
  }
  if (Array.isArray(data)) return { kind: 'row', values: data.map(decodeValue) }
  if (typeof data?.table === 'string' && Array.isArray(data.columns)) return { kind: 'table', table: data.table, columns: data.columns }
  throw new BackupFormatError(`an unexpected line: ${line.slice(0, 80)}`)
}

/** Reads the whole file once and compares its checksum and row counts with the manifest */
export async function checkIntegrity(path: string): Promise<{ manifest: BackupManifest | null; problems: string[] }> {
  const counts: Record<string, number> = {}
  let table = ''
  const reader = readBackup(path)
  try {
    for (;;) {
      const next = await reader.next()
      if (next.done) {
        const { manifest, actualSha256 } = next.value
        const problems: string[] = []
        if (manifest.sha256 !== actualSha256) problems.push(`checksum mismatch: the manifest says sha256 ${manifest.sha256}, the data hashes to ${actualSha256}`)
        for (const name of new Set([...Object.keys(manifest.tables ?? {}), ...Object.keys(counts)])) {
          if ((manifest.tables?.[name] ?? 0) !== (counts[name] ?? 0)) {
            problems.push(`row count of ${name}: the manifest says ${manifest.tables?.[name] ?? 0}, the file holds ${counts[name] ?? 0}`)
          }
        }
        return { manifest, problems }
      }
      const record = next.value
      if (record.kind === 'table') counts[(table = record.table)] = 0
      else if (record.kind === 'row') counts[table]++
    }
  } catch (error) {
    return { manifest: null, problems: [`unreadable backup: ${(error as Error).message}`] }
  }
}

/**
 * The rows of one table of a backup, by column name, read up to the end of that table (a check
 * made before a restore touches anything; the checksum is checkIntegrity's)
 */
export async function* tableRows(path: string, table: string): AsyncGenerator<Record<string, unknown>> {
  let columns: string[] | null = null
  for await (const record of readBackup(path)) {
    if (record.kind === 'table') {
      if (columns) return
      if (record.table === table) columns = record.columns
    } else if (record.kind === 'row' && columns) {
      yield Object.fromEntries(columns.map((column, i) => [column, record.values[i]]))
    }
  }
}
