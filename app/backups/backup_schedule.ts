import cluster from 'node:cluster'
import logger from '@adonisjs/core/services/logger'
import { backupInterval, backupLog, runBackup } from '#backups/backup_service'

/*
| The server's scheduled backups (BACKUP_EVERY, 24h by default; 0 turns them off). The next one
| is due BACKUP_EVERY after the last successful one in BACKUP_DIR's log, so a server restarted
| every night still backs up; never sooner than two minutes after the start. With
| WEB_CONCURRENCY workers only the first one backs up; several app servers sharing one database
| should keep it on one of them (BACKUP_EVERY=0 on the others).
*/

let running: Promise<unknown> | null = null

/** One backup at a time in this process: a second request waits for the running one */
export function backupNow(reason: string) {
  running ??= runBackup({ reason }).finally(() => (running = null))
  return running as ReturnType<typeof runBackup>
}

/** Starts the schedule; returns how to stop it */
export function scheduleBackups(every = backupInterval(), notBefore = 120_000): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const stop = () => {
    stopped = true
    clearTimeout(timer)
  }
  // (a BACKUP_EVERY that is not a duration stops the start: start/env.ts)
  if (!every || Number.isNaN(every) || (cluster.isWorker && cluster.worker?.id !== 1)) return stop
  const last = backupLog(50).find((entry) => entry.ok)
  // None yet: the first one soon after the start
  const due = last ? Date.parse(last.at) + every - Date.now() : 0
  const tick = () => {
    backupNow('scheduled')
      .then(({ path, bytes }) => logger.info('scheduled backup %s (%d bytes)', path, bytes))
      .catch((error) => logger.error({ err: error }, 'scheduled backup failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, Math.min(every, MAX_DELAY)).unref()
      })
  }
  timer = setTimeout(tick, Math.min(Math.max(notBefore, due), MAX_DELAY)).unref()
  return stop
}

// setTimeout's longest delay (about 24.8 days); a longer interval just checks again then
const MAX_DELAY = 2 ** 31 - 1
