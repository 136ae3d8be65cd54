import { rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
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

/** Minutes without progress after which a running import's process is taken for dead */
export const DEAD_IMPORT_MINUTES = 60

const STOPPED = JSON.stringify([{ row: 1, column: '', message: 'The import stopped part way (its server was stopped or crashed): nothing after the last completed batch was written. The audit log lists what each batch wrote; import the file again to write the rest.' }])

/**
 * An import still `running` whose process died (a deploy, a crash, kill -9) would stay so for good:
 * it runs in the process that started it and nothing resumes it. Its progress is saved with each
 * batch of 1,000 rows (seconds), so one with none for an hour is taken for dead and marked failed;
 * one whose last batch committed is done already (that batch's transaction said so).
 * A time, not a server's start: several servers (WEB_CONCURRENCY, app servers) share the
 * database, and one starting must not fail another's import. Its committed batches need nothing
 * more: each wrote its own audit entry (product_csv_batch.ts). Run at each upload and where a job
 * is shown (`importId`: that one only). Answers how many it marked.
 */
export async function failDeadImports(now: Date = new Date(), importId?: number) {
  const before = dbTimestamp(new Date(now.getTime() - DEAD_IMPORT_MINUTES * 60_000))
  const query = db.from('product_imports').where('status', 'running').where('updated_at', '<', before)
  const dead = await (importId === undefined ? query : query.where('id', importId)).select('id', 'path')
  let failed = 0
  for (const job of dead) {
    const marked = await db.from('product_imports').where('id', job.id).where('status', 'running').where('updated_at', '<', before).update({ status: 'failed', errors: STOPPED, updated_at: dbTimestamp() })
    if (!Number(Array.isArray(marked) ? marked[0] : marked)) continue
    failed++
    await rm(job.path, { force: true })
  }
  return failed
}

const FAILED = JSON.stringify([{ row: 1, column: '', message: 'The import stopped part way (a batch could not be written: the database was out of reach, or another error): nothing after the last completed batch was written. The audit log lists what each batch wrote; import the file again to write the rest.' }])

/** Seconds between two tries at marking a failed import while the database is out of reach */
export const MARK_FAILED_RETRY_SECONDS = 2

/**
 * The import whose batch failed, in this live process, is marked failed, only while still
 * `running` (a last batch that committed made it done). When the database is gone too (the usual
 * reason a batch fails), the mark is tried again until it is back: the page said "Importing" for
 * an hour, until failDeadImports took the import for dead, though this process knew it had stopped.
 * After that hour failDeadImports does it anyway, so the tries stop there.
 */
export async function markImportFailed(importId: number) {
  const until = Date.now() + DEAD_IMPORT_MINUTES * 60_000
  for (let attempt = 0; ; attempt++) {
    try {
      await db.from('product_imports').where({ id: importId, status: 'running' }).update({ status: 'failed', errors: FAILED, updated_at: dbTimestamp() })
      if (attempt) logger.info({ importId }, 'CSV import marked failed, the database back')
      return
    } catch (error) {
      if (!attempt) logger.error({ err: error }, 'CSV import could not be marked failed: tried again until the database is back')
      if (Date.now() > until) return
      // unref: a clean stop does not wait for the database to come back
      await sleep(MARK_FAILED_RETRY_SECONDS * 1000, undefined, { ref: false })
    }
  }
}
