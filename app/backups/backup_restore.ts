import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import pluginsConfig from '#config/plugins'
import { checkIntegrity, readBackup, tableRows, type BackupManifest } from '#backups/backup_format'
import { engineOf, listTables } from '#backups/backup_service'
import { verifyChains } from '#sales/chain_verifier'
import { checkCommit, transaction } from '#platform/db_transaction'
import { runMigrations } from '#platform/migrations'
import { PLUGIN_ID } from '#plugins/manifest'
import { describeSkuClashes, skuClashes } from '#backups/sku_clashes'

/*
| Loading a backup into a database, and checking one (pos:restore, pos:backup-verify).
| The schema comes from this POS's migrations (and the enabled plugins' own), then every row of
| the file goes in, in one transaction with foreign keys checked at its end (SQLite) or after
| (MariaDB loads with the checks off: the rows came from a database that had them).
*/

export class RestoreError extends Error {}

/** Drops every table of a connection's database (what pos:restore --force replaces) */
export async function dropAllTables(connectionName: string) {
  const tables = await listTables(connectionName)
  if (engineOf(connectionName) === 'sqlite') {
    // SQLite checks a dropped table's foreign keys even when deferred, and foreign_keys can only
    // be switched off outside a transaction: on the pool's connection itself, then back on
    const knex = db.connection(connectionName).getWriteClient()
    const conn: any = await knex.client.acquireConnection()
    try {
      conn.pragma('foreign_keys = OFF')
      conn.exec('BEGIN')
      for (const table of tables) conn.exec(`DROP TABLE IF EXISTS "${table.replaceAll('"', '""')}"`)
      conn.exec('COMMIT')
    } catch (error) {
      if (conn.inTransaction) conn.exec('ROLLBACK')
      throw error
    } finally {
      conn.pragma('foreign_keys = ON')
      await knex.client.releaseConnection(conn)
    }
    return
  }
  await transaction(async (trx) => {
    await trx.rawQuery('SET FOREIGN_KEY_CHECKS = 0')
    for (const table of tables) await trx.schema.dropTableIfExists(table)
    await trx.rawQuery('SET FOREIGN_KEY_CHECKS = 1')
  }, connectionName)
}

/**
 * Refuses a backup made by a newer version of the POS (migrations this one does not have): read
 * from the migration files, so that pos:restore can refuse it before it drops anything
 */
export function refuseNewerBackup(manifest: BackupManifest) {
  const here = new Set(readdirSync(app.migrationsPath()).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).map((f) => `database/migrations/${f.replace(/\.(ts|js)$/, '')}`))
  const unknown = manifest.schema.filter((name) => !here.has(name))
  if (unknown.length) {
    throw new RestoreError(`the backup comes from a newer version of the POS (migrations ${unknown.join(', ')} are unknown here): upgrade first`)
  }
}

/*
| Plugin tables: the backup's plugin_migrations rows name the plugin migrations to run before its
| rows load. The file is not trusted (its sha256 is a checksum, not a signature), and a row's
| plugin id and name become a path that is imported and run: each must have the shape of a real
| one (PLUGIN_ID; a migration file's name, no "/" nor "..": dots are allowed, as in a plugin's
| `1.0_init.ts`) and be a migration file of that plugin's migrations folder here. Anything else
| refuses the file before anything is written.
*/
const MIGRATION_NAME = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_.-]{0,190}$/

interface PluginMigration {
  pluginId: string
  name: string
  /** The migration's file in the plugin folder here */
  path: string
}

export interface PluginPlan {
  migrations: PluginMigration[]
  /** Plugins the backup has tables of that are not installed here */
  missing: string[]
}

/**
 * Reads and checks the backup's plugin_migrations rows (see above). A plugin not installed here
 * is listed in missing; that refuses the restore unless allowMissing (a verify's scratch SQLite
 * database keeps such tables' rows without column types).
 */
export async function pluginPlan(file: string, allowMissing: boolean): Promise<PluginPlan> {
  const plan: PluginPlan = { migrations: [], missing: [] }
  let row = 0
  for await (const values of tableRows(file, 'plugin_migrations')) {
    row++
    const pluginId = values.plugin_id
    const name = values.name
    const which = `row ${row} of plugin_migrations (plugin_id ${JSON.stringify(pluginId ?? null)}, name ${JSON.stringify(name ?? null)})`
    if (typeof pluginId !== 'string' || !PLUGIN_ID.test(pluginId) || typeof name !== 'string' || !MIGRATION_NAME.test(name)) {
      throw new RestoreError(`${which} does not name a plugin migration: the backup is refused`)
    }
    const folder = pluginsConfig.paths.map((root) => join(root, pluginId)).find((f) => existsSync(join(f, 'plugin.json')))
    if (!folder) {
      if (!plan.missing.includes(pluginId)) plan.missing.push(pluginId)
      continue
    }
    const path = migrationFiles(folder).find((f) => f.replace(/\.(ts|js)$/, '') === name)
    if (!path) throw new RestoreError(`${which}: plugin ${pluginId} has no migration ${name} here (an older version of the plugin?)`)
    plan.migrations.push({ pluginId, name, path: join(folder, migrationsFolder(folder), path) })
  }
  if (plan.missing.length && !allowMissing) {
    throw new RestoreError(`the backup holds tables of plugin ${plan.missing.join(', ')}, not installed here: put its folder in ${pluginsConfig.paths.join(', ')} (PLUGINS_PATH)`)
  }
  return plan
}

/** The plugin's migrations folder, as its plugin.json names it */
function migrationsFolder(folder: string): string {
  return JSON.parse(readFileSync(join(folder, 'plugin.json'), 'utf8')).migrations ?? 'migrations'
}

/** The migration files of a plugin folder (as the plugin host lists them when it enables the plugin) */
function migrationFiles(folder: string): string[] {
  const dir = join(folder, migrationsFolder(folder))
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
}

/** Runs the plugins' migrations that made the backup's plugin tables (checked by pluginPlan) */
async function runPluginMigrations(connectionName: string, plan: PluginPlan) {
  for (const { path } of plan.migrations) {
    const { default: Schema } = await import(pathToFileURL(path.replace(/\.ts$/, '.js')).href)
    await transaction((trx) => new Schema(trx, path, false).execUp(), connectionName)
  }
}

/**
 * Loads a backup into a connection whose database has no tables of its own yet (or only what
 * the migrations make, empty). Checks the file's checksum first: a damaged file loads nothing.
 * The tables of a plugin that is not installed here stop a restore; `keepUnknownTables` (the
 * scratch SQLite database of a verify) keeps their rows in tables without column types instead.
 */
export async function restoreInto(file: string, connectionName: string, checked?: BackupManifest, keepUnknownTables = false): Promise<BackupManifest> {
  let manifest = checked
  if (!manifest) {
    const integrity = await checkIntegrity(file)
    if (integrity.problems.length || !integrity.manifest) throw new RestoreError(integrity.problems.join('; '))
    manifest = integrity.manifest
  }

  const sqlite = engineOf(connectionName) === 'sqlite'
  // Before the migrations write anything: the version and the plugin rows are checked first
  refuseNewerBackup(manifest)
  const plugins = await pluginPlan(file, keepUnknownTables && sqlite)
  await runMigrations(connectionName)
  await runPluginMigrations(connectionName, plugins)
  // A backup from before migration 0144 may hold "Drinks" beside "DRINKS", or "Épicerie" beside
  // "épicerie" (SQLite): its categories load without keys (the unique key of the keys lets them in),
  // and pos:restore keys and merges them, as the migration does
  const existing = new Set(await listTables(connectionName))

  const quote = (name: string) => (sqlite ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``)
  const loader = sqlite ? await sqliteLoader(connectionName) : await mysqlLoader(connectionName)
  try {
    let table = ''
    for await (const record of readBackup(file)) {
      if (record.kind === 'table') {
        table = record.table
        // The migrations wrote their own bookkeeping; a plugin's is a row like any other
        if (table.startsWith('adonis_schema')) table = ''
        else if (!existing.has(table)) {
          if (!keepUnknownTables || !sqlite) throw new RestoreError(`table ${table} of the backup does not exist in this version of the POS`)
          await loader.sql(`create table ${quote(table)} (${record.columns.map(quote).join(', ')})`)
        }
        if (table) await loader.table(`insert into ${quote(table)} (${record.columns.map(quote).join(', ')})`, record.columns.length)
      } else if (record.kind === 'row' && table) {
        await loader.row(record.values)
      }
    }
    await loader.commit()
  } catch (error) {
    await loader.rollback()
    throw error
  }
  return manifest
}

interface Loader {
  sql(statement: string): Promise<void>
  /** The INSERT (without its VALUES) of the rows that follow */
  table(insert: string, columns: number): Promise<void>
  row(values: unknown[]): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
}

/**
 * SQLite: one prepared INSERT per table, run row by row on the pool's connection inside one
 * transaction (better-sqlite3 inserts some 100,000 rows a second this way). Foreign keys are off
 * while loading and checked once at the end (PRAGMA foreign_key_check): deferred checks made
 * every parent row search its children, which took minutes for a big store.
 */
async function sqliteLoader(connectionName: string): Promise<Loader> {
  const knex = db.connection(connectionName).getWriteClient()
  const conn: any = await knex.client.acquireConnection()
  let statement: any = null
  conn.pragma('foreign_keys = OFF')
  conn.exec('BEGIN')
  const release = () => {
    conn.pragma('foreign_keys = ON')
    return knex.client.releaseConnection(conn)
  }
  return {
    async sql(text) {
      conn.exec(text)
    },
    async table(insert, columns) {
      statement = conn.prepare(`${insert} values (${new Array(columns).fill('?').join(', ')})`)
    },
    async row(values) {
      statement.run(values)
    },
    async commit() {
      const broken = conn.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]
      if (broken.length) {
        const some = broken.slice(0, 5).map((v) => `${v.table} row ${v.rowid} points to a missing ${v.parent}`)
        throw new RestoreError(`${broken.length} row(s) point to rows that are not in the backup: ${some.join('; ')}`)
      }
      conn.exec('COMMIT')
      await release()
    },
    async rollback() {
      if (conn.inTransaction) conn.exec('ROLLBACK')
      await release()
    },
  }
}

/** MariaDB/MySQL: multi-row INSERTs of up to 500 rows in one transaction, foreign key checks off */
async function mysqlLoader(connectionName: string): Promise<Loader> {
  const trx = checkCommit(await db.connection(connectionName).transaction())
  await trx.rawQuery('SET FOREIGN_KEY_CHECKS = 0')
  let insert = ''
  let placeholders = ''
  let batch: unknown[][] = []
  const flush = async () => {
    if (batch.length) await trx.rawQuery(`${insert} values ${batch.map(() => placeholders).join(', ')}`, batch.flat() as any[])
    batch = []
  }
  return {
    async sql(text) {
      await trx.rawQuery(text)
    },
    async table(text, columns) {
      await flush()
      insert = text
      placeholders = `(${new Array(columns).fill('?').join(', ')})`
    },
    async row(values) {
      batch.push(values)
      if (batch.length >= 500) await flush()
    },
    async commit() {
      await flush()
      await trx.rawQuery('SET FOREIGN_KEY_CHECKS = 1')
      await trx.commit()
    },
    async rollback() {
      if (!trx.isCompleted) await trx.rollback()
    },
  }
}

/** products.stock must equal the sum of the product's stock movements */
export async function stockLedgerProblems(connectionName: string, storeId?: number): Promise<string[]> {
  const result = await db.connection(connectionName).rawQuery(
    `select p.id, p.sku, p.stock, coalesce(l.total, 0) as total from products p
     left join (select product_id, sum(quantity) as total from stock_movements group by product_id) l on l.product_id = p.id
     where p.stock <> coalesce(l.total, 0) ${storeId ? 'and p.store_id = ?' : ''} order by p.id`,
    storeId ? [storeId] : []
  )
  const rows = engineOf(connectionName) === 'sqlite' ? result : result[0]
  return rows.map((r: any) => `stock of product ${r.id} (${r.sku}) is ${Number(r.stock)} but its ledger sums to ${Number(r.total ?? 0)}`)
}

export async function chainProblems(connectionName: string, storeId?: number): Promise<string[]> {
  const verdicts = await verifyChains(storeId, connectionName)
  return verdicts.filter((v) => !v.ok).map((v) => `hash chain of store ${v.storeId}, ${v.registerName} (register ${v.registerId}): ${v.problem}`)
}

/**
 * A folder for the scratch database in the system's temp folder. One missing or read-only said
 * "ENOENT: no such file or directory, mkdtemp '/…/pos-verify-XXXXXX'", naming neither the folder
 * to fix nor the setting that chose it (os.tmpdir() reads TMPDIR, else /tmp).
 */
function scratchFolder() {
  const temp = tmpdir()
  try {
    return mkdtempSync(join(temp, 'pos-verify-'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const setting = process.env.TMPDIR ? 'TMPDIR' : 'TMPDIR unset: the system default'
    const state = code === 'ENOENT' ? 'does not exist' : `cannot be written (${code})`
    throw new Error(`not verified: the temp folder ${temp} (${setting}) ${state}; the scratch database is made there: set TMPDIR to a folder that may be written`)
  }
}

/** A scratch SQLite database under the system's temp folder, as a Lucid connection */
export async function withScratchDatabase<T>(work: (connectionName: string) => Promise<T>): Promise<T> {
  const dir = scratchFolder()
  const name = `backup_scratch_${process.pid}_${Date.now()}`
  db.manager.add(name, {
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'scratch.sqlite3') },
    useNullAsDefault: true,
    migrations: { naturalSort: true, paths: ['database/migrations'] },
  } as any)
  try {
    return await work(name)
  } finally {
    await db.manager.close(name)
    db.manager.release(name)
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface VerifyReport {
  manifest: BackupManifest | null
  problems: string[]
  /** What would stop a restore on the other engine (SKUs that MariaDB takes as one) */
  warnings: string[]
  checked: { chains: number; products: number }
}

/** pos:backup-verify: checksum, then a restore into a scratch SQLite database and its checks */
export async function verifyBackup(file: string): Promise<VerifyReport> {
  const integrity = await checkIntegrity(file)
  if (integrity.problems.length || !integrity.manifest) return { manifest: integrity.manifest, problems: integrity.problems, warnings: [], checked: { chains: 0, products: 0 } }
  const clashes = await skuClashes(file)
  const warnings = clashes.length ? [`it restores on SQLite; on MariaDB it is refused: ${describeSkuClashes(clashes)}`] : []
  return withScratchDatabase(async (connection) => {
    const problems: string[] = []
    try {
      await restoreInto(file, connection, integrity.manifest!, true)
    } catch (error) {
      return { manifest: integrity.manifest, problems: [`restore failed: ${(error as Error).message}`], warnings, checked: { chains: 0, products: 0 } }
    }
    problems.push(...(await chainProblems(connection)))
    problems.push(...(await stockLedgerProblems(connection)))
    const registers = await db.connection(connection).from('registers').count('* as n').first()
    const products = await db.connection(connection).from('products').count('* as n').first()
    return { manifest: integrity.manifest, problems, warnings, checked: { chains: Number(registers.n), products: Number(products.n) } }
  })
}
