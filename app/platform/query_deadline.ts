import { requestContext } from '#platform/request_context'

/*
| A database that stops answering (a frozen server, a network that drops packets) leaves a pooled
| MySQL/MariaDB connection waiting on its query for as long as TCP takes to give up: a quarter of
| an hour. A till's request then hung, and so did the till (it neither sold online nor went offline),
| and every such connection stayed out of the pool. A till's requests are all short (a scan, a
| payment, a batch of offline sales): past DB_QUERY_TIMEOUT_MS (5 s) without an answer, the
| connection is dropped and its query fails as the database out of reach (a 503: the till goes
| offline). Dropped on a COMMIT, the outcome is unknown and it is not retried (mysql_pipelining.ts):
| the till's Idempotency-Key or client_uuid answers a retry. The API's writes (a sale, a payment,
| a refund, a stock movement) are as short, and an integration's sale hung as long (still
| unanswered after a minute, tests/functional/faults/database_down.spec.ts): they get the deadline
| too (a retry with the same Idempotency-Key is answered once). Every other request (a report, a
| back-office page, the API's lists) and the server's housekeeping get a longer one,
| DB_LONG_QUERY_TIMEOUT_MS (60 s): none of their queries takes seconds (the reports read daily
| summaries), yet on a frozen database a manager's report hung for a quarter of an hour and the
| hourly roll-up held its connection as long (a CSV export reads its rows a page at a time, each
| page a query of its own). A streamed query, the commands (migrations, backups, a summaries
| rebuild) and the two requests whose work may rightly be long (withoutQueryDeadline: the audit
| page's chain walk, a plugin's migrations) keep no deadline.
*/

const TILL_MS = 5000
const LONG_MS = 60_000

/** The requests a till makes while selling, and the API's writes: their queries get the short deadline */
const TILL_PATHS = /^\/(till|health)(\/|$)/
const API_PATHS = /^\/api(\/|$)/

function configured(name: string, fallback: number): number | null {
  const ms = Number(process.env[name] ?? fallback)
  return Number.isFinite(ms) && ms > 0 ? ms : null
}

/** The deadline for queries run while serving this request, in ms, or null */
export function queryDeadlineFor(url: string, method: string): number | null {
  const apiWrite = API_PATHS.test(url) && method !== 'GET' && method !== 'HEAD'
  if (TILL_PATHS.test(url) || apiWrite) return configured('DB_QUERY_TIMEOUT_MS', TILL_MS)
  return configured('DB_LONG_QUERY_TIMEOUT_MS', LONG_MS)
}

/**
 * Runs work of a request that may rightly query for longer than any deadline: the audit page's
 * walk of every hash chain (a register's whole history, read in one go) and a plugin's migrations.
 * Dropped at 60 s, a big store's chain could never be verified from the web, and on a cluster the
 * drop took its healthy node for gone (database_nodes.ts)
 */
export function withoutQueryDeadline<T>(run: () => PromiseLike<T>): Promise<T> {
  // Awaited inside: a query builder runs when it is awaited, which must be in this context
  return requestContext.run({ requestId: requestContext.getStore()?.requestId ?? '', queryDeadlineMs: null }, async () => await run())
}

/** Runs a background job (the server's housekeeping) with the long deadline on its queries */
export function withLongQueryDeadline<T>(job: string, run: () => PromiseLike<T>): Promise<T> {
  return requestContext.run({ requestId: job, queryDeadlineMs: configured('DB_LONG_QUERY_TIMEOUT_MS', LONG_MS) }, async () => await run())
}

type Callback = (error: Error | null, ...rest: any[]) => void

function outOfTime(ms: number) {
  const error = new Error(`The database did not answer within ${ms} ms; its connection was dropped`) as any
  error.code = 'ETIMEDOUT'
  error.fatal = true
  return error
}

/**
 * Wraps a pooled mysql2 connection's query(): a query sent for a request or a job that gets no answer
 * within its deadline drops the connection (the pool then discards it) and fails; so does every
 * later query sent on it (the transaction's ROLLBACK)
 */
export function enforceQueryDeadline(connection: any) {
  const driverQuery = connection.query.bind(connection)
  let dropped: Error | null = null
  connection.query = (options: any, bindings: any, callback: any) => {
    if (typeof bindings === 'function') {
      callback = bindings
      bindings = undefined
    }
    const ms = requestContext.getStore()?.queryDeadlineMs
    // A streamed query (no callback) or one run for no request nor job (a command): as the driver does
    if (typeof callback !== 'function' || (!ms && !dropped)) return driverQuery(options, bindings, callback)
    if (dropped) {
      process.nextTick(callback, dropped)
      return
    }
    let answered = false
    const timer = setTimeout(() => {
      answered = true
      dropped = outOfTime(ms!)
      connection.destroy()
      callback(dropped)
    }, ms!)
    return driverQuery(options, bindings, (...args: Parameters<Callback>) => {
      clearTimeout(timer)
      if (answered) return
      answered = true
      callback(...args)
    })
  }
}
