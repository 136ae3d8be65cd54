import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import type { PrintJobKind } from '#models/print_job'

/*
| A drawer kick and a customer display's text are worth doing now or never. A receipt that
| prints ten minutes late is still the customer's receipt; a drawer that pops open ten minutes
| after it was asked for, with no one at the till, or a display showing a past customer's
| total, is worse than nothing. Such a job that has not reached its device within a minute of
| being queued gives up (the till says the drawer did not open) instead of going out when the
| printer or the bridge comes back.
*/

export const MOMENTARY_KINDS: PrintJobKind[] = ['drawer', 'display']
export const MOMENTARY_TTL_S = 60

export function isMomentary(kind: string) {
  return MOMENTARY_KINDS.includes(kind as PrintJobKind)
}

/** Why a momentary job gave up, after the device's own error (if any) */
export function momentaryGaveUp(kind: string, reason?: string | null) {
  const why = reason ? `${reason}. ` : ''
  if (kind === 'drawer') {
    return `${why}The drawer was not opened: it could not be reached within ${MOMENTARY_TTL_S} s of asking, and it does not open by itself later. Open it again when the printer is back.`
  }
  return `${why}Not shown on the display: it could not be reached within ${MOMENTARY_TTL_S} s, and the text is out of date now.`
}

/** The cut-off for "queued too long ago", as the database stores times */
export function momentaryCutoff(now = DateTime.utc()) {
  return dbTimestamp(now.minus({ seconds: MOMENTARY_TTL_S }))
}

/** Whether a job was queued longer ago than a momentary job may wait */
export async function queuedTooLongAgo(jobId: number, now = DateTime.utc()) {
  return !!(await db.from('print_jobs').where('id', jobId).where('created_at', '<', momentaryCutoff(now)).select('id').first())
}
