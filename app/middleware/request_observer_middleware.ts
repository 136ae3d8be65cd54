import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { requestContext } from '#platform/request_context'
import { httpDuration } from '#platform/metrics'
import { isDraining, trackStream } from '#platform/shutdown'
import { queryDeadlineFor } from '#platform/query_deadline'

/**
 * The first middleware of every request: binds the request id for the logs
 * (request_context.ts) and the till's requests' query deadline (query_deadline.ts), times the answer for /metrics by route pattern (never the raw URL, whose
 * ids would make a series per sale), keeps the live-update streams so a stopping server can
 * close them, and asks clients to reconnect elsewhere while the server stops.
 */
export default class RequestObserverMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    const started = process.hrtime.bigint()
    const raw = ctx.response.response
    if (ctx.request.method() === 'GET' && ctx.request.url() === '/__transmit/events') trackStream(raw)
    raw.once('finish', () => {
      const status = `${Math.floor(raw.statusCode / 100)}xx`
      const route = ctx.route?.pattern ?? (raw.statusCode === 404 ? 'unmatched' : 'static')
      httpDuration.observe({ route, method: ctx.request.method(), status }, Number(process.hrtime.bigint() - started) / 1e9)
    })
    if (isDraining()) ctx.response.header('Connection', 'close')
    return requestContext.run({ requestId: ctx.request.id() ?? '', queryDeadlineMs: queryDeadlineFor(ctx.request.url(), ctx.request.method()) }, next)
  }
}
