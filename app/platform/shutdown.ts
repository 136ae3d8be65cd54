import net from 'node:net'
import type { ServerResponse } from 'node:http'
import type { ApplicationService } from '@adonisjs/core/types'

/*
| Stopping cleanly on SIGTERM (and SIGINT): the listening socket closes, so new connections go
| to another server (or are refused: the client knows the sale did not happen); requests in
| flight (sales) finish and are answered with Connection: close;
| the server-sent event streams are closed (their pages reconnect elsewhere and catch up from
| the database); then the database and Redis are closed and the process exits 0. If that takes
| longer than SHUTDOWN_TIMEOUT seconds (10), the process exits anyway, with code 1.
*/

/** How long keep-alive connections may still bring a request once stopping has begun */
const KEEP_ALIVE_GRACE_MS = 500

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
  if (nodeServer) {
    // Stop accepting connections, but not the way http's close() does: that also drops idle
    // keep-alive connections at once, and with them requests already sent but not yet read.
    // Keep-alive connections keep being served for a moment, each answer saying Connection:
    // close; then the ones still idle are closed, and the server waits for the rest to finish.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(nodeServer, () => resolve()))
    await new Promise((resolve) => setTimeout(resolve, KEEP_ALIVE_GRACE_MS))
    nodeServer.closeIdleConnections()
    const idle = setInterval(() => nodeServer.closeIdleConnections(), 50)
    await closed
    clearInterval(idle)
  }
  try {
    // The HTTP process's own hook finds the server closed; the providers then close the
    // database pool, Redis and Transmit
    await app.terminate()
  } catch (error) {
    logger.error({ err: error }, 'Stopping failed')
    process.exitCode = 1
  }
  logger.info('Stopped')
  process.exit(process.exitCode ?? 0)
}
