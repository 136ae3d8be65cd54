import type { HttpContext } from '@adonisjs/core/http'
import { PassThrough } from 'node:stream'
import { DateTime } from 'luxon'
import { bridgeForToken, pairBridge } from '#hardware/pairing'
import { jobOfBridge, recordResult } from '#hardware/jobs'
import { dispatcher } from '#hardware/dispatcher'
import { healthValidator, jobResultValidator, pairValidator } from '#validators/hardware'

/*
| What the hardware bridge talks to: pairing with a one-time code, its event stream (jobs
| pushed to it), job outcomes and health reports. Authenticated by the bridge's own token
| (Authorization: Bearer pb_...), never a user's: a revoked or unknown token is a 401.
*/
export default class BridgeController {
  async pair({ request, response }: HttpContext) {
    const input = await request.validateUsing(pairValidator)
    const { token, bridge } = await pairBridge(input.code, input.name ?? 'Bridge', request.ip())
    return response.created({ token, bridge_id: bridge.id, register_id: bridge.registerId })
  }

  async events(ctx: HttpContext) {
    const bridge = await this.bridge(ctx)
    if (!bridge) return
    bridge.lastSeenAt = DateTime.utc()
    await bridge.save()
    const stream = new PassThrough()
    ctx.response.header('content-type', 'text/event-stream; charset=utf-8')
    ctx.response.header('cache-control', 'no-cache, no-transform')
    ctx.response.header('x-accel-buffering', 'no')
    // a comment every 15 s keeps proxies from closing an idle stream
    const ping = setInterval(() => stream.write(': ping\n\n'), 15_000)
    ctx.request.request.once('close', () => {
      clearInterval(ping)
      dispatcher.detach(bridge.id, stream)
      stream.end()
    })
    stream.write(': connected\n\n')
    await dispatcher.attach(bridge, stream)
    return ctx.response.stream(stream)
  }

  async result(ctx: HttpContext) {
    const bridge = await this.bridge(ctx)
    if (!bridge) return
    await jobOfBridge(bridge, Number(ctx.params.id) || 0)
    const input = await ctx.request.validateUsing(jobResultValidator)
    const job = await recordResult(bridge, Number(ctx.params.id) || 0, input)
    bridge.lastSeenAt = DateTime.utc()
    await bridge.save()
    return { id: job.id, status: job.status, attempts: job.attempts }
  }

  async health(ctx: HttpContext) {
    const bridge = await this.bridge(ctx)
    if (!bridge) return
    const input = await ctx.request.validateUsing(healthValidator)
    bridge.status = { version: input.version, host: input.host, devices: input.devices ?? [] }
    bridge.lastSeenAt = DateTime.utc()
    await bridge.save()
    return ctx.response.noContent()
  }

  private async bridge({ request, response }: HttpContext) {
    const header = request.header('authorization') ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : null
    const bridge = await bridgeForToken(token)
    if (!bridge) {
      response.unauthorized({ errors: [{ message: 'This bridge is revoked or unknown: pair it again with a new code', code: 'bridge_unauthorized' }] })
      return null
    }
    return bridge
  }
}
