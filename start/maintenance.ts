/*
| Housekeeping of the server process, a minute or two after the start and then every hour: old
| Idempotency-Keys are deleted (idempotency_service.ts), and the products' months that ended a day
| ago are rolled up from their days (reports/month_rollup.ts). Each server (or worker) does it, at
| its own moment (workers start together); one that finds nothing left costs a few reads.
| Scheduled backups: app/backups/backup_schedule.ts.
*/
import logger from '@adonisjs/core/services/logger'
import { pruneIdempotencyKeys } from '#platform/idempotency_service'
import { rollUpProductMonths } from '#reports/month_rollup'
import { scheduleBackups } from '#backups/backup_schedule'

const HOUR = 3_600_000

function housekeeping() {
  pruneIdempotencyKeys()
    .then((deleted) => {
      if (deleted) logger.info('deleted %d expired Idempotency-Keys', deleted)
    })
    .catch((error) => logger.error({ err: error }, 'could not delete expired Idempotency-Keys'))
  rollUpProductMonths()
    .then((months) => {
      if (months) logger.info('rolled up %d month(s) of the product summaries', months)
    })
    .catch((error) => logger.error({ err: error }, 'could not roll up the product summaries’ months'))
}

setTimeout(() => {
  housekeeping()
  setInterval(housekeeping, HOUR).unref()
}, 60_000 + Math.random() * 60_000).unref()

scheduleBackups()
