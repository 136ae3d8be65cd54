import { rm } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'

/** Hours a product import's preview waits to be imported before its file is removed */
export const PREVIEW_HOURS = 24

/**
 * A preview nobody imported within a day is over: its uploaded file (up to 50 MB) is removed and
 * the job says so. Such files stayed in tmp/imports for good. Run at each upload.
 */
export async function expireUnrunPreviews(now: Date = new Date()) {
  const before = dbTimestamp(new Date(now.getTime() - PREVIEW_HOURS * 3_600_000))
  const stale = await db.from('product_imports').whereIn('status', ['previewed', 'checking']).where('created_at', '<', before).select('id', 'path')
  for (const job of stale) {
    // Marked first, the file removed only if this marked it: an import started meanwhile keeps its file
    const marked = await db.from('product_imports').where('id', job.id).whereIn('status', ['previewed', 'checking']).update({ status: 'expired', updated_at: dbTimestamp() })
    if (Number(Array.isArray(marked) ? marked[0] : marked)) await rm(job.path, { force: true })
  }
}
