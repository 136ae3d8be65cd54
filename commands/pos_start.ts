import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, launchServer, migrate, serveUntilExit } from './_server.js'

/*
| node ace pos:start (npm start): the production start. Runs pending migrations (after a backup
| when the database holds data: backup_service.ts), then serves
| with NODE_ENV=production. On an empty database the first visitor is led through /setup.
*/
export default class PosStart extends BaseCommand {
  static commandName = 'pos:start'
  static description = 'Run pending migrations, then start the POS server in production mode'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  async run() {
    const env = (await import('#start/env')).default
    const db = (await import('@adonisjs/lucid/services/db')).default
    let needsSetup = false
    const { sqliteFolderProblem } = await import('#platform/health')
    const { interruptedRestore } = await import('#backups/restore_guard')
    const { databaseLoginProblem } = await import('#platform/database_login')
    const { appFolderProblem } = await import('#platform/app_folders')
    // tmp/ holds the product CSV uploads: one the app cannot write failed every upload
    const tmpProblem = await appFolderProblem(this.app.tmpPath())
    const folderProblem =
      (await sqliteFolderProblem()) ?? (tmpProblem && `Configuration error: ${tmpProblem}: the app keeps uploads there; let the app's user write it (docs/deploy.md)`) ?? (await databaseLoginProblem()) ?? interruptedRestore()
    if (folderProblem) {
      this.logger.error(`${folderProblem}; the server is not started`)
      this.exitCode = 1
      await db.manager.closeAll()
      return this.terminate()
    }
    try {
      const { backupBeforeMigrations } = await import('#backups/backup_service')
      const backup = await backupBeforeMigrations()
      if (backup) this.logger.info(`backed up before migrating: ${backup}`)
      const ran = await migrate()
      this.logger.info(ran.length ? `ran ${ran.length} migration(s): ${ran.join(', ')}` : 'database schema is up to date')
      this.logger.info(`database: ${await describeDatabase(this.app)}`)
      needsSetup = !(await db.from('stores').first())
    } catch (error) {
      this.logger.error(`Backup or migrations failed, the server is not started: ${(error as Error).message}`)
      this.exitCode = 1
      await db.manager.closeAll()
      return this.terminate()
    }
    await db.manager.closeAll()

    const port = Number(env.get('PORT'))
    const server = await launchServer(this, port, env.get('HOST'), { NODE_ENV: 'production' })
    if (!server) {
      this.exitCode = 1
      return this.terminate()
    }
    const url = env.get('APP_URL') || `http://localhost:${port}`
    this.logger.success(`The POS is running: ${this.colors.cyan(url)}`)
    if (needsSetup) {
      this.logger.info(`This database is empty: open ${this.colors.cyan(`${url}/setup`)} to create the store and its admin account.`)
    }
    this.exitCode = await serveUntilExit(server)
    await this.terminate()
  }
}
