import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'

/** The REST API (bearer tokens) and the vendored scripts: no cookies, no forms */
export function isMachineRequest(ctx: HttpContext) {
  const url = ctx.request.url()
  return url.startsWith('/api/') || url.startsWith('/vendor/')
}

let session: SessionMiddleware<any> | undefined
let shield: ShieldMiddleware | undefined

/**
 * The session and Shield (CSRF, frame and sniffing headers) for pages and forms only. On /api/*
 * and /vendor/* they did nothing useful and cost the most of a request: a session and an
 * XSRF-TOKEN cookie encrypted and set on every answer. There ctx.session is undefined.
 */
export default class BrowserSessionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (isMachineRequest(ctx)) return next()
    session ??= await app.container.make(SessionMiddleware)
    shield ??= await app.container.make(ShieldMiddleware)
    return session.handle(ctx, () => shield!.handle(ctx, next))
  }
}
