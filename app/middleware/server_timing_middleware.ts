import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Server-Timing: app;dur=<ms>: how long the server worked on the request, from its first
 * middleware to the answer being ready (browser dev tools show it; pos:bench reads it to judge
 * the budgets that ARCHITECTURE.md sets in server time)
 */
export default class ServerTimingMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const started = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const milliseconds = Number(process.hrtime.bigint() - started) / 1e6
      if (!ctx.response.headersSent) ctx.response.header('Server-Timing', `app;dur=${milliseconds.toFixed(2)}`)
    }
  }
}
