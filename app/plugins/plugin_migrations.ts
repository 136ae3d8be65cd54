import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { BaseSchema } from '@adonisjs/lucid/schema'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { dbTimestamp } from '#platform/db_time'
import type { PluginManifest } from '#plugins/contracts/plugin'
import { messageOf } from '#plugins/isolation'
import { transaction } from '#platform/db_transaction'
import { withoutQueryDeadline } from '#platform/query_deadline'

/*
| A plugin's own migrations (its manifest's "migrations" folder), tracked per plugin in
| plugin_migrations. The host runs them on enable, in one transaction with its setup's fate.
*/

interface PluginEntry {
  id: string
  folder: string
  manifest: PluginManifest | null
}

/**
 * Runs the plugin's pending migrations in one transaction, then its setup. A failing
 * migration rolls the transaction back (SQLite undoes the tables too; MariaDB commits DDL
 * at once, so what ran is undone with down()). A failing setup undoes this attempt's
 * migrations with down() as well: a plugin is never left half-enabled.
 */
export function migrateAndActivate(entry: PluginEntry, activate: () => Promise<void>) {
  // A migration may rightly take long (a table rebuilt, a lock waited for): no query deadline
  return withoutQueryDeadline(() => migrateThenActivate(entry, activate))
}

async function migrateThenActivate(entry: PluginEntry, activate: () => Promise<void>) {
  const ran: BaseSchema[] = []
  const sqlite = ['better-sqlite3', 'sqlite3'].includes(db.connection().dialect.name)
  try {
    await transaction((trx) => runPluginMigrations(entry, trx, ran))
  } catch (error) {
    if (!sqlite) await undoPluginMigrations(entry, ran)
    throw error
  }
  try {
    await activate()
  } catch (error) {
    await undoPluginMigrations(entry, ran)
    throw error
  }
}

/** Undoes what an attempt ran (MariaDB commits DDL at once), newest first, and forgets it */
async function undoPluginMigrations(entry: PluginEntry, ran: BaseSchema[]) {
  for (const schema of [...ran].reverse()) {
    try {
      const Schema = schema.constructor as any
      await new Schema(db.connection(), schema.file, false).execDown()
    } catch (undo: any) {
      logger.error({ err: undo, plugin: entry.id }, 'Could not undo migration %s', schema.file)
    }
  }
  if (ran.length) {
    await db.from('plugin_migrations').where('plugin_id', entry.id).whereIn('name', ran.map((s) => migrationName(s.file))).delete()
  }
}

/** Runs the plugin's pending migrations in trx, in file order, pushing each one run onto ran */
async function runPluginMigrations(entry: PluginEntry, trx: TransactionClientContract, ran: BaseSchema[]) {
  const folderName = entry.manifest!.migrations
  if (!folderName) return
  const folder = join(entry.folder, folderName)
  if (!existsSync(folder)) throw new Error(`the migrations folder ${folderName} does not exist`)
  const done = new Set(
    (await trx.from('plugin_migrations').where('plugin_id', entry.id).select('name')).map((r) => r.name)
  )
  const files = readdirSync(folder).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()
  for (const file of files) {
    const name = migrationName(file)
    if (done.has(name)) continue
    const path = join(folder, file)
    const module = await import(pathToFileURL(path.replace(/\.ts$/, '.js')).href)
    const Schema = module.default
    if (typeof Schema !== 'function') throw new Error(`migration ${file} must export a default BaseSchema class`)
    const schema: BaseSchema = new Schema(trx, path, false)
    try {
      await schema.execUp()
    } catch (error) {
      throw new Error(`migration ${file} failed: ${messageOf(error)}`)
    }
    ran.push(schema)
    await trx.table('plugin_migrations').insert({ plugin_id: entry.id, name, migrated_at: dbTimestamp() })
  }
}

function migrationName(file: string) {
  return file.split('/').pop()!.replace(/\.(ts|js)$/, '')
}

