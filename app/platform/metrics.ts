import cluster from 'node:cluster'
import client from 'prom-client'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import { openStreams } from '#platform/shutdown'
import { mysqlRoundTrips } from '#platform/mysql_pipelining'

/*
| Prometheus metrics (GET /metrics). Counters live in this process; with WEB_CONCURRENCY > 1
| a worker asks the primary, which gathers every worker's registry (prom-client's
| AggregatorRegistry, bin/cluster.ts), so one scrape sees the whole server.
| Sales and refunds are counted from the domain events published after commit, so a rolled
| back sale is never counted.
*/

export const registry = client.register
client.collectDefaultMetrics({ prefix: 'pos_' })
// A worker answers the primary's requests for its metrics (prom-client listens once built)
if (cluster.isWorker) new client.AggregatorRegistry()

export const httpDuration = new client.Histogram({
  name: 'pos_http_request_duration_seconds',
  help: 'Time to answer a request, by route pattern, method and status class',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
})

const salesTotal = new client.Counter({ name: 'pos_sales_total', help: 'Completed sales, by store and tender', labelNames: ['store', 'tender'] as const })
const saleAmount = new client.Counter({
  name: 'pos_sale_amount_minor_total',
  help: 'Amount paid on completed sales in minor units (change excluded), by store and tender',
  labelNames: ['store', 'tender'] as const,
})
const refundsTotal = new client.Counter({ name: 'pos_refunds_total', help: 'Refunds, by store', labelNames: ['store'] as const })
const refundAmount = new client.Counter({ name: 'pos_refund_amount_minor_total', help: 'Refunded amount in minor units, by store', labelNames: ['store'] as const })
export const transactionRetries = new client.Counter({
  name: 'pos_transaction_retries_total',
  help: 'Transactions run again: after a deadlock, a lock wait, a Galera certification conflict (reason conflict), or a database node lost before COMMIT (reason node)',
  labelNames: ['reason'] as const,
})
// Both reasons from zero, so a scrape shows the series before the first retry
for (const reason of ['conflict', 'node']) transactionRetries.inc({ reason }, 0)
export const idempotentReplays = new client.Counter({ name: 'pos_idempotent_replays_total', help: 'Writes answered from an Idempotency-Key kept earlier' })
new client.Gauge({
  name: 'pos_sse_connections',
  help: 'Open server-sent event streams (live updates)',
  collect() {
    this.set(openStreams())
  },
})

new client.Counter({
  name: 'pos_db_round_trips_total',
  help: 'Queries sent to MySQL/MariaDB by this process (each one round trip; a batch of statements is one); 0 on SQLite',
  collect() {
    this.reset()
    this.inc(mysqlRoundTrips())
  },
})

new client.Gauge({
  name: 'pos_print_jobs',
  help: 'Print and drawer jobs waiting (queued or sent) and failed, read at scrape time',
  labelNames: ['state'] as const,
  // Every worker reads the same table: a cluster-wide scrape takes one answer, not the sum
  aggregator: 'first',
  async collect() {
    try {
      const rows = await db.from('print_jobs').whereIn('status', ['queued', 'sent', 'failed']).groupBy('status').select('status').count('* as n')
      const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0)
      this.set({ state: 'pending' }, count('queued') + count('sent'))
      this.set({ state: 'failed' }, count('failed'))
    } catch {
      // The database being down shows in /health/ready; the gauge keeps its last value
    }
  },
})

new client.Gauge({
  name: 'pos_db_pool_connections',
  help: 'Connections of the default database pool: used, free, and requests waiting for one',
  labelNames: ['state'] as const,
  collect() {
    const pool = (db.manager.get(db.primaryConnectionName)?.connection as any)?.pool
    if (!pool) return
    this.set({ state: 'used' }, pool.numUsed())
    this.set({ state: 'free' }, pool.numFree())
    this.set({ state: 'waiting' }, pool.numPendingAcquires())
  },
})

emitter.on('sale:completed', async (event) => {
  try {
    // The tenders of the sale: from the event when its publisher had them, else one small indexed
    // read of the payments that paid it (a card payment cancelled at the terminal was counted)
    const rows = event.tenders ? byMethod(event.tenders) : await db.from('payments').where({ sale_id: event.saleId, status: 'approved' }).groupBy('method').select('method').sum('amount as amount')
    const store = String(event.storeId)
    const tender = rows.length === 1 ? String(rows[0].method) : rows.length ? 'split' : 'none'
    salesTotal.inc({ store, tender })
    for (const row of rows) saleAmount.inc({ store, tender: String(row.method) }, Number(row.amount))
  } catch (error) {
    logger.warn({ err: error }, 'A sale was not counted in the metrics')
  }
})

emitter.on('sale:refunded', (event) => {
  refundsTotal.inc({ store: String(event.storeId) })
  refundAmount.inc({ store: String(event.storeId) }, event.total)
})

/** The metrics in Prometheus' text format: this process's, or every worker's under node:cluster */
export async function scrape(): Promise<{ contentType: string; text: string }> {
  if (cluster.isWorker && process.send) {
    const text = await askPrimary().catch(() => null)
    if (text !== null) return { contentType: registry.contentType, text }
  }
  return { contentType: registry.contentType, text: await registry.metrics() }
}

let asked = 0
function askPrimary(): Promise<string> {
  const id = ++asked
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('The primary did not answer')), 5000)
    const onMessage = (message: any) => {
      if (message?.type === 'pos:metrics' && message.id === id) done(null, message.text, message.error)
    }
    const done = (error: Error | null, text?: string, failure?: string) => {
      clearTimeout(timer)
      process.off('message', onMessage)
      if (error || failure) reject(error ?? new Error(failure))
      else resolve(text!)
    }
    process.on('message', onMessage)
    process.send!({ type: 'pos:metrics:ask', id })
  })
}

/** Payments summed per tender, as the read above answers them */
function byMethod(tenders: { method: string; amount: number }[]) {
  const sums = new Map<string, number>()
  for (const t of tenders) sums.set(t.method, (sums.get(t.method) ?? 0) + t.amount)
  return [...sums].map(([method, amount]) => ({ method, amount }))
}
