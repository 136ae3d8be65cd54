import 'reflect-metadata'
import cluster from 'node:cluster'
import { Ignitor, prettyPrintError } from '@adonisjs/core'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

// WEB_CONCURRENCY=N: N worker processes share the port (see bin/cluster.ts); 1 by default
const { default: env } = await import('#start/env')
const workers = cluster.isPrimary ? env.get('WEB_CONCURRENCY', 1) : 1

if (workers > 1) {
  const { runWorkers } = await import('./cluster.js')
  process.exitCode = await runWorkers(workers)
} else {
  new Ignitor(APP_ROOT, { importer: IMPORTER })
    .tap((app) => {
      app.booting(async () => {
        await import('#start/env')
      })
      // SIGTERM/SIGINT: stop taking connections, finish the requests in flight, exit (app/platform/shutdown.ts)
      const stop = async () => {
        const { stopGracefully } = await import('#platform/shutdown')
        await stopGracefully(app, env.get('SHUTDOWN_TIMEOUT', 10))
      }
      app.listen('SIGTERM', stop)
      app.listen('SIGINT', stop)
    })
    .httpServer()
    .start()
    .catch(async (error) => {
      await prettyPrintError(error)
      // A worker that cannot serve exits, so the primary notices
      if (cluster.isWorker) process.exit(1)
    })
}
