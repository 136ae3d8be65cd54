import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/*
| node ace pos:backup-verify FILE
| Checks the backup's checksum and row counts, restores it into a scratch SQLite database, and
| runs the hash-chain check and the stock ledger check there. Exit code 1 on any problem.
*/
export default class PosBackupVerify extends BaseCommand {
  static commandName = 'pos:backup-verify'
  static description = 'Check a backup: checksum, restore into a scratch database, hash chains, stock ledger'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The backup file' })
  declare file: string

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { verifyBackup } = await import('#backups/backup_restore')
    try {
      const report = await verifyBackup(this.file)
      const m = report.manifest
      if (m) this.logger.info(`backup of ${m.createdAt} (POS ${m.app}, ${m.engine}, ${m.schema.length} migrations), ${Object.values(m.tables).reduce((a, b) => a + b, 0)} rows`)
      for (const problem of report.problems) this.logger.error(problem)
      for (const warning of report.warnings) this.logger.warning(warning)
      if (report.problems.length) {
        this.logger.error(`${this.file}: ${report.problems.length} problem(s)`)
        this.exitCode = 1
      } else {
        this.logger.success(`${this.file}: checksum ok, restored, ${report.checked.chains} register chain(s) intact, stock equals the ledger for ${report.checked.products} product(s)`)
      }
    } catch (error) {
      this.logger.error(`${this.file}: ${(error as Error).message}`)
      this.exitCode = 1
    } finally {
      await db.manager.closeAll()
    }
  }
}
