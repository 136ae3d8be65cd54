/*
| Housekeeping of the server process: old Idempotency-Keys are deleted a minute or two after the
| start and then every hour (idempotency_service.ts). Each server (or worker) does it, at its own
| moment (workers start together); one that finds nothing left costs a read.
| Scheduled backups: app/backups/backup_schedule.ts.
*/
import logger from '@adonisjs/core/services/logger'
import { pruneIdempotencyKeys } from '#platform/idempotency_service'
import { scheduleBackups } from '#backups/backup_schedule'

const HOUR = 3_600_000

function prune() {
  pruneIdempotencyKeys()
    .then((deleted) => {
      if (deleted) logger.info('deleted %d expired Idempotency-Keys', deleted)
    })
    .catch((error) => logger.error({ err: error }, 'could not delete expired Idempotency-Keys'))
}

setTimeout(() => {
  prune()
  setInterval(prune, HOUR).unref()
}, 60_000 + Math.random() * 60_000).unref()

scheduleBackups()
