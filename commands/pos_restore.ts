import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/*
| node ace pos:restore FILE [--force]
| Loads a backup into the configured database (DB_CONNECTION: SQLite or MariaDB, whichever made
| the backup: this is also how a store moves from SQLite to MariaDB). An empty database only,
| unless --force: then what it replaces is backed up first, into BACKUP_DIR. Stop the server first.
*/
export default class PosRestore extends BaseCommand {
  static commandName = 'pos:restore'
  static description = 'Restore a backup into the configured database (--force replaces a non-empty one, after backing it up)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The backup file' })
  declare file: string

  @flags.boolean({ description: 'Replace a database that holds data (it is backed up first)' })
  declare force: boolean

  // Set once the tables are dropped: from then on a signal is waited out (restore_guard.ts)
  #dropped = false

  async run() {
    const { withoutStopping } = await import('#backups/restore_guard')
    await withoutStopping((signal) => {
      if (!this.#dropped) {
        this.logger.info(`${signal}: stopped before the database was touched`)
        process.exit(130)
      }
      this.logger.warning(`${signal}: a restore cannot stop halfway (the database would be left half-restored): it finishes, or puts the database back, first`)
    }, () => this.#restore())
  }

  async #restore() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { databaseIsEmpty, runBackup, listTables, engineOf } = await import('#backups/backup_service')
    const { restoreInto, dropAllTables, chainProblems, stockLedgerProblems, pluginPlan, refuseNewerBackup, RestoreError } = await import('#backups/backup_restore')
    const { skuClashesOn, describeSkuClashes } = await import('#backups/sku_clashes')
    const { checkIntegrity } = await import('#backups/backup_format')
    const { describeDatabase } = await import('./_server.js')
    const { markRestoreStarted, markRestoreEnded } = await import('#backups/restore_guard')
    const connection = db.primaryConnectionName
    // What --force replaced, backed up first: put back if the restore fails once it has dropped
    // the tables (a row the database refuses, a column it does not know). It was left empty, and
    // served /setup to the first visitor
    let replaced: string | null = null
    try {
      const integrity = await checkIntegrity(this.file)
      if (integrity.problems.length) {
        for (const problem of integrity.problems) this.logger.error(problem)
        this.exitCode = 1
        return
      }
      // A backup from a newer version, or whose plugin rows are refused (or name plugins not
      // installed here), stops here, before what it would replace is touched
      refuseNewerBackup(integrity.manifest!)
      await pluginPlan(this.file, false)
      // SKUs that SQLite kept apart and MariaDB's unique key takes as one, asked of it (sku_clashes.ts)
      if (engineOf(connection) === 'mysql') {
        const clashes = await skuClashesOn(connection, this.file)
        if (clashes.length) throw new RestoreError(describeSkuClashes(clashes))
      }
      const target = await describeDatabase(this.app)
      if (!(await databaseIsEmpty(connection))) {
        if (!this.force) {
          this.logger.error(`${target} holds data: restoring would replace it. Run again with --force (it is backed up first).`)
          this.exitCode = 1
          return
        }
        const previous = await runBackup({ reason: 'before-restore', spare: this.file })
        this.logger.info(`backed up what is replaced: ${previous.path}`)
        replaced = previous.path
      }
      markRestoreStarted(this.file, replaced, connection)
      this.#dropped = true
      if ((await listTables(connection)).length) await dropAllTables(connection)
      const manifest = await restoreInto(this.file, connection, integrity.manifest!)
      const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
      // A backup from before the summaries were kept for days that are over: its days over are
      // marked rolled up (their rows were exact), as migration 0111 does
      if (!manifest.schema.some((name) => name.includes('0111_summary_days_rolled'))) {
        const { markRolledDays } = await import('#database/migrations/0111_summary_days_rolled')
        await markRolledDays(db.connection())
      }
      // A backup from before the customers' phones were kept reversed too: filled, as migration 0119 does
      if (!manifest.schema.some((name) => name.includes('0119_customer_phone_reversed'))) {
        const { fillPhoneReversed } = await import('#database/migrations/0119_customer_phone_reversed')
        await fillPhoneReversed(db.connection())
      }
      // A backup from before refunds named their shift: given it, as migration 0124 does
      if (!manifest.schema.some((name) => name.includes('0124_refund_shift'))) {
        const { fillRefundShifts } = await import('#database/migrations/0124_refund_shift')
        await fillRefundShifts(db.connection())
      }
      // A backup from before client UUIDs and device ids were kept in small letters: lowered, as migration 0146 does
      if (!manifest.schema.some((name) => name.includes('0146_client_uuid_lowercase'))) {
        const { lowercaseClientUuids } = await import('#database/migrations/0146_client_uuid_lowercase')
        await lowercaseClientUuids(db.connection())
      }
      // A backup from before the categories' name keys (or before one category per name), or
      // from before the key dropped invisible characters and runs of spaces: its categories keyed
      // with today's rule, those of one key merged, as migrations 0144 and 0145 do
      if (!['0144_category_name_key', '0145_category_name_key_invisible'].every((step) => manifest.schema.some((name) => name.includes(step)))) {
        const { keyCategoryNames } = await import('#database/migrations/0144_category_name_key')
        const { transaction } = await import('#platform/db_transaction')
        // One transaction: a key and a merge per category, not a commit each (SQLite syncs each one)
        await transaction((trx) => keyCategoryNames(trx))
      }
      // A backup from before the reports' summaries, or before they were kept per register: build
      // them from the restored lines
      if (!manifest.schema.some((name) => name.includes('0105_summaries_by_register'))) {
        const { rebuildAllSummaries } = await import('#reports/summary_rebuild')
        const { default: Store } = await import('#models/store')
        for (const store of await Store.all()) await rebuildAllSummaries(store)
        this.logger.info('the backup had no report summaries by register: rebuilt from its sales')
      } else if (!manifest.schema.some((name) => name.includes('0110_product_month_rollups'))) {
        // From before the products' months were kept only for months that are over: summed again
        const { rollUpProductMonths } = await import('#reports/month_rollup')
        await db.from('summary_product_months').delete()
        await rollUpProductMonths()
      }
      // A backup from before the summaries kept the cash rounding: its days with a rounding written again, as migration 0149 does
      if (!manifest.schema.some((name) => name.includes('0149_summary_rounding'))) {
        const { summariseRounding } = await import('#database/migrations/0149_summary_rounding')
        await summariseRounding(db.connection())
      }
      const problems = [...(await chainProblems(connection)), ...(await stockLedgerProblems(connection))]
      // The rows are as they were when backed up: a problem is reported, not a failed restore
      for (const problem of problems) this.logger.warning(`in the backup: ${problem}`)
      // Secrets are encrypted with the APP_KEY of the install that saved them: under another key they read as nothing
      const { unreadableSecrets } = await import('#plugins/settings')
      for (const secret of await unreadableSecrets(db.connection())) {
        this.logger.warning(`plugin ${secret.plugin}: its secret "${secret.key}" cannot be read with this APP_KEY (the backup was made under another): enter it again in Settings -> Plugins`)
      }
      markRestoreEnded()
      this.logger.success(`restored ${rows} rows (backup of ${manifest.createdAt}, ${manifest.engine}) into ${target}${problems.length ? '' : '; hash chains intact, stock equals the ledger'}`)
    } catch (error) {
      this.logger.error(`Restore failed: ${(error as Error).message}`)
      this.exitCode = 1
      if (this.#dropped && (await this.#putBack(connection, replaced, restoreInto, dropAllTables))) markRestoreEnded()
    } finally {
      await db.manager.closeAll()
    }
  }

  /** After a failed restore: the database as it was (from its before-restore backup), or empty as it was */
  async #putBack(connection: string, replaced: string | null, restoreInto: (file: string, connection: string) => Promise<unknown>, dropAllTables: (connection: string) => Promise<void>) {
    try {
      await dropAllTables(connection)
      if (!replaced) {
        this.logger.info('nothing of the backup was kept: the database is empty, as it was')
        return true
      }
      await restoreInto(replaced, connection)
      this.logger.info(`the database was put back as it was before, from ${replaced}`)
      return true
    } catch (error) {
      this.logger.error(`Putting the database back failed too (${(error as Error).message}): restore ${replaced ?? 'a backup'} with node ace pos:restore FILE --force before the server starts`)
      return false
    }
  }
}
