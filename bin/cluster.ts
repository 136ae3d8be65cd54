import cluster from 'node:cluster'
import { AggregatorRegistry } from 'prom-client'

/*
| WEB_CONCURRENCY=N runs N HTTP worker processes on one port (node:cluster), one per core.
| Everything the workers share lives outside them: sessions are signed cookies, sales and
| stock are in the database, and login rate limits go through Redis when REDIS_HOST is set.
| The primary only forks, replaces a worker that dies, and stops them all on SIGINT/SIGTERM.
*/

/** Forks the workers and resolves with the exit code once they are all gone */
export function runWorkers(count: number): Promise<number> {
  let stopping = false
  let exitCode = 0
  const listening = new Set<number>()
  cluster.on('listening', (worker) => listening.add(worker.id))
  // The workers not exited yet. cluster.workers drops a worker once it has both exited and
  // disconnected, in either order: counted from it, the last exit could come first and find
  // itself still there, and the primary never resolved (Node then exits with 13, an unsettled await)
  const running = new Set<number>()
  cluster.on('fork', (worker) => running.add(worker.id))
  answerMetrics()
  for (let i = 0; i < count; i++) cluster.fork()

  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      stopping = true
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))

    cluster.on('exit', (worker, code, signal) => {
      running.delete(worker.id)
      const left = running.size
      if (stopping) {
        if (left === 0) resolve(exitCode)
        return
      }
      // A worker that dies before it listens (port taken, bad config) would die again: stop all
      if (!listening.has(worker.id)) {
        console.error(`A worker exited while starting (code ${code ?? signal}); stopping.`)
        exitCode = code || 1
        stop('SIGTERM')
        if (left === 0) resolve(exitCode)
        return
      }
      console.error(`Worker ${worker.process.pid} exited (code ${code ?? signal}); starting another.`)
      cluster.fork()
    })
  })
}

/**
 * GET /metrics lands on one worker, which asks the primary: the primary gathers every worker's
 * registry (prom-client's AggregatorRegistry: counters and histograms summed) and answers it
 */
function answerMetrics() {
  const aggregator = new AggregatorRegistry()
  cluster.on('message', (worker, message) => {
    if (message?.type !== 'pos:metrics:ask') return
    aggregator
      .clusterMetrics()
      .then((text) => worker.send({ type: 'pos:metrics', id: message.id, text }))
      .catch((error) => worker.send({ type: 'pos:metrics', id: message.id, error: String(error?.message ?? error) }))
  })
}
