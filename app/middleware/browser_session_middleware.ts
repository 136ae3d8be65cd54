import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import { Session } from '@adonisjs/session'
import { configProvider } from '@adonisjs/core'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'

/** The REST API (bearer tokens), the vendored scripts, health and metrics: no cookies, no forms */
export function isMachineRequest(ctx: HttpContext) {
  const url = ctx.request.url()
  return url.startsWith('/api/') || url.startsWith('/vendor/') || url.startsWith('/health/') || url === '/metrics'
}

let session: SessionMiddleware<any> | undefined
let shield: ShieldMiddleware | undefined
let config: any
let emitter: any

/**
 * The session and Shield (CSRF, frame and sniffing headers) for pages and forms only. On /api/*
 * and /vendor/* they did nothing useful and cost the most of a request: a session cookie
 * decrypted and encrypted again on every answer. There ctx.session is undefined.
 */
export default class BrowserSessionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (isMachineRequest(ctx)) return next()
    session ??= await app.container.make(SessionMiddleware)
    shield ??= await app.container.make(ShieldMiddleware)
    // A CSRF token is taken from the form or the X-CSRF-TOKEN header, never from the address:
    // an address ends up in proxies' and access logs, and Shield would read `_csrf` from there too
    const qs = ctx.request.qs()
    if ('_csrf' in qs) {
      const { _csrf, ...rest } = qs
      ctx.request.updateQs(rest)
    }
    if (ctx.request.url().startsWith('/__transmit/')) return this.#readOnlySession(ctx, next)
    return session.handle(ctx, () => shield!.handle(ctx, next))
  }

  /**
   * Live updates (Transmit) read the session to know the user but never write it back: the event
   * stream ends only when the page is left, and its commit would then put back the session as
   * it was before the next page's form post (losing that post's flash messages or store switch).
   */
  async #readOnlySession(ctx: HttpContext, next: NextFn) {
    config ??= await configProvider.resolve<any>(app, app.config.get('session'))
    emitter ??= await app.container.make('emitter')
    ctx.session = new Session(config, config.stores[config.store], emitter, ctx)
    await ctx.session.initiate(true)
    try {
      return await shield!.handle(ctx, next)
    } catch (error: any) {
      // Not signed in (no session, or none with a user): a plain 401, as the usual redirect, or
      // a first CSRF secret, would write the session
      // A subscription without this session's CSRF token: Shield's answer would flash into the
      // read-only session (a 500)
      if (error?.code === 'E_BAD_CSRF_TOKEN') {
        return ctx.response.forbidden({ errors: [{ message: 'This page is out of date: reload it to receive live updates', code: 'bad_csrf_token' }] })
      }
      if (!['E_UNAUTHORIZED_ACCESS', 'E_SESSION_NOT_MUTABLE'].includes(error?.code)) throw error
      return ctx.response.unauthorized({ errors: [{ message: 'Sign in to receive live updates', code: 'unauthenticated' }] })
    }
  }
}
