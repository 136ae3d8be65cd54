import type { HttpContext } from '@adonisjs/core/http'
import { join } from 'node:path'
import { existsSync } from 'node:fs'
import { backupFiles, backupInterval, backupLog, backupsKept } from '#backups/backup_service'
import { BACKUP_NAME, backupDir } from '#platform/backup_folder'
import { backupNow } from '#backups/backup_schedule'
import { recordAudit } from '#platform/audit_service'

/** Backups (an admin of every store only: the routes check manageBackups): the last ones, download, back up now */
export default class BackupsController {
  async index({ view }: HttpContext) {
    const every = backupInterval()
    return view.render('backoffice/backups/index', {
      attempts: backupLog(20),
      files: backupFiles(),
      dir: backupDir(),
      every: every > 0 ? `${Math.round((every / 3_600_000) * 10) / 10} h` : null,
      keep: backupsKept(),
    })
  }

  async store({ session, response, request, auth, store }: HttpContext) {
    try {
      const { path, bytes } = await backupNow('manual')
      session.flash('notice', `Backed up: ${path.split('/').pop()} (${Math.ceil(bytes / 1024)} KiB)`)
      await recordAudit({ action: 'backup_created', storeId: store.id, userId: auth.user!.id, data: { file: path.split('/').pop() }, ip: request.ip() })
    } catch (error) {
      session.flash('error', `The backup failed: ${(error as Error).message}`)
    }
    return response.redirect('/backoffice/backups')
  }

  async download({ params, response, request, auth, store }: HttpContext) {
    const name = String(params.file)
    const path = join(backupDir(), name)
    // Only a backup file of BACKUP_DIR, by its bare name: never a path elsewhere
    if (!BACKUP_NAME.test(name) || !existsSync(path)) return response.notFound('No such backup')
    await recordAudit({ action: 'backup_downloaded', storeId: store.id, userId: auth.user!.id, data: { file: name }, ip: request.ip() })
    response.header('Content-Type', 'application/gzip')
    return response.attachment(path, name)
  }
}
