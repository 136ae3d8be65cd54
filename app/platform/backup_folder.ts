import { resolve } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

/*
| Where backups are written, and what a backup file is called: the backups domain writes them
| (app/backups/backup_service.ts), the health check reads their age (platform/health.ts, which
| may not import a domain).
*/

/** A backup file's name: pos-backup-<UTC time>[-<reason>].jsonl.gz (a .partial is none) */
export const BACKUP_NAME = /^pos-backup-[0-9TZ-]+(-[a-z-]+)?\.jsonl\.gz$/

/** BACKUP_DIR, else storage/backups; an empty BACKUP_DIR (`BACKUP_DIR=` in .env) is none, not the app's own folder */
export function backupDir() {
  return resolve(app.makePath(env.get('BACKUP_DIR') || 'storage/backups'))
}
