import type { ServerResponse } from 'node:http'
import type { ApplicationService } from '@adonisjs/core/types'

/*
| Stopping cleanly on SIGTERM (and SIGINT): the listening socket closes, so new connections go
| to another server; requests in flight (sales) finish and are answered with Connection: close;
| the server-sent event streams are closed (their pages reconnect elsewhere and catch up from
| the database); then the database and Redis are closed and the process exits 0. If that takes
| longer than SHUTDOWN_TIMEOUT seconds (10), the process exits anyway, with code 1.
*/

let draining = false
const streams = new Set<ServerResponse>()

export function isDraining() {
  return draining
}

/** Keeps a server-sent event stream, to close it when the server stops */
export function trackStream(response: ServerResponse) {
  streams.add(response)
  response.once('close', () => streams.delete(response))
}

export function openStreams() {
  return streams.size
}

export async function stopGracefully(app: ApplicationService, timeoutSeconds: number) {
  if (draining) return
  draining = true
  const { default: server } = await import('@adonisjs/core/services/server')
  const { default: logger } = await import('@adonisjs/core/services/logger')
  logger.info('Stopping: finishing the requests in flight')

  const force = setTimeout(() => {
    logger.warn(`Requests still running after ${timeoutSeconds}s; exiting anyway`)
    process.exit(1)
  }, timeoutSeconds * 1000)
  force.unref()

  const nodeServer = server.getNodeServer()
  for (const response of streams) response.destroy()
  // Keep-alive connections that go idle once their request is answered are closed too
  const idle = setInterval(() => nodeServer?.closeIdleConnections(), 50)
  try {
    // Closes the listener and waits for the requests in flight (the HTTP process's own hook),
    // then the providers close the database pool, Redis and Transmit
    await app.terminate()
  } catch (error) {
    logger.error({ err: error }, 'Stopping failed')
    process.exitCode = 1
  } finally {
    clearInterval(idle)
  }
  logger.info('Stopped')
  process.exit(process.exitCode ?? 0)
}
