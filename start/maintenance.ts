/*
| Housekeeping of the server process, a minute or two after the start and then every hour: old
| Idempotency-Keys are deleted (idempotency_service.ts), the store days that ended two hours ago are
| rolled up into the reports' summaries (reports/day_rollup.ts), and the products' months that ended
| a day ago from their days (reports/month_rollup.ts). Each server (or worker) does it, at
| its own moment (workers start together); one that finds nothing left costs a few reads.
| Its queries get the long deadline (app/platform/query_deadline.ts): on a frozen database the
| roll-up held its connection for a quarter of an hour. Scheduled backups: app/backups/backup_schedule.ts.
*/
import logger from '@adonisjs/core/services/logger'
import { pruneIdempotencyKeys } from '#platform/idempotency_service'
import { rollUpSummaries } from '#reports/day_rollup'
import { scheduleBackups } from '#backups/backup_schedule'
import { watchRedis } from '#platform/redis_status'
import { withLongQueryDeadline } from '#platform/query_deadline'

const HOUR = 3_600_000

function housekeeping() {
  void withLongQueryDeadline('housekeeping', () => tidyUp())
}

async function tidyUp() {
  await pruneIdempotencyKeys()
    .then((deleted) => {
      if (deleted) logger.info('deleted %d expired Idempotency-Keys', deleted)
    })
    .catch((error) => logger.error({ err: error }, 'could not delete expired Idempotency-Keys'))
  await rollUpSummaries()
    .then(({ days, months }) => {
      if (days || months) logger.info('rolled up %d day(s) of the report summaries and %d month(s) of the products’', days, months)
    })
    .catch((error) => logger.error({ err: error }, 'could not roll up the report summaries'))
}

setTimeout(() => {
  housekeeping()
  setInterval(housekeeping, HOUR).unref()
}, 60_000 + Math.random() * 60_000).unref()

scheduleBackups()

// Redis's state followed from the start (one warning per outage, not a FATAL line per reconnection)
watchRedis()
