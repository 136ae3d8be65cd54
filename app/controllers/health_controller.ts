import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { readiness, tillReadiness } from '#platform/health'
import { scrape } from '#platform/metrics'
import { metricsAccess } from '#platform/metrics_access'

/*
| /health/live, /health/ready and /health/till are public (load balancers call them) and say nothing secret;
| /metrics needs METRICS_TOKEN as a bearer token, or a request from an allowed address.
*/
export default class HealthController {
  live({ response }: HttpContext) {
    return response.ok({ status: 'ok' })
  }

  async ready({ response }: HttpContext) {
    const report = await readiness()
    return response.status(report.ready ? 200 : 503).json(report)
  }

  /** The till's heartbeat: can it sell through this server (the database answers and takes writes)? */
  async till({ response }: HttpContext) {
    const report = await tillReadiness()
    return response.status(report.ready ? 200 : 503).json(report)
  }

  async metrics({ request, response }: HttpContext) {
    const refused = metricsAccess(request, env.get('METRICS_TOKEN'), env.get('METRICS_ALLOW'))
    if (refused) return response.status(refused).json({ errors: [{ message: refused === 401 ? 'A bearer token is required' : 'Not allowed from this address', code: 'metrics_refused' }] })
    const { contentType, text } = await scrape()
    return response.header('Content-Type', contentType).send(text)
  }
}
