import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/*
| node ace pos:backup [--to FOLDER|FILE]
| A consistent backup of the database while the tills keep selling (app/backups/backup_service.ts),
| into BACKUP_DIR unless --to names a folder that is there or a new file in one (a missing folder
| is refused, never made). The last line printed is the file's path.
*/
export default class PosBackup extends BaseCommand {
  static commandName = 'pos:backup'
  static description = 'Back up the database (consistent while selling, gzip, with a manifest); prints the file last'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Write the backup into this folder (it must be there), or to this new .jsonl.gz file, instead of BACKUP_DIR' })
  declare to: string

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { runBackup } = await import('#backups/backup_service')
    try {
      const onSnapshot = () => this.logger.info('snapshot open: reading every table as it is now')
      const { path, manifest, bytes } = await runBackup({ to: this.to, reason: 'manual', onSnapshot })
      const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0)
      this.logger.success(`${rows} rows of ${Object.keys(manifest.tables).length} tables, ${(bytes / 1024).toFixed(1)} KiB, sha256 ${manifest.sha256}`)
      console.log(path)
    } catch (error) {
      this.logger.error(`Backup failed: ${(error as Error).message}`)
      this.exitCode = 1
    } finally {
      await db.manager.closeAll()
    }
  }
}
