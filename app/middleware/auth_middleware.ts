import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'
import type Store from '#models/store'
import StoreAccessService from '#staff/store_access_service'
import { errors as authErrors } from '@adonisjs/auth'
import { isMachineRequest } from '#middleware/browser_session_middleware'
import { sessionEnded, signedInWithPin, tillOnlyRefuses } from '#staff/sessions'

/**
 * Lets signed-in, active users through and loads the store they work in (ctx.store, see
 * StoreAccessService).
 * Pages redirect to /login; the API answers 401.
 */
export default class AuthMiddleware {
  redirectTo = '/login'

  async handle(ctx: HttpContext, next: NextFn, options: { guards?: (keyof Authenticators)[] } = {}) {
    await ctx.auth.authenticateUsing(options.guards, { loginRoute: this.redirectTo })
    const user = ctx.auth.user!
    if (!user.active) {
      // A page goes to the sign-in form (it showed a JSON 401 on the till); the API answers 401
      if (ctx.auth.authenticatedViaGuard === 'web') {
        if (!ctx.session.readonly) await ctx.auth.use('web').logout()
        throw new authErrors.E_UNAUTHORIZED_ACCESS('This account is disabled', { redirectTo: this.redirectTo, guardDriverName: 'session' })
      }
      return ctx.response.unauthorized({ errors: [{ message: 'This account is disabled', code: 'unauthenticated' }] })
    }
    if (ctx.auth.authenticatedViaGuard === 'web' && sessionEnded(ctx, user)) {
      // Signed out elsewhere, or a new password: this copy of the session is over
      if (!ctx.session.readonly) await ctx.auth.use('web').logout()
      throw new authErrors.E_UNAUTHORIZED_ACCESS('Your session has ended: sign in again', { redirectTo: this.redirectTo, guardDriverName: 'session' })
    }
    if (ctx.auth.authenticatedViaGuard === 'web' && tillOnlyRefuses(ctx)) {
      // Signed in with a PIN at the till: the back office asks for the password
      // (a plain form posted too, such as an open back office page's: a bare 403 page was a dead end)
      const message = 'Sign in with your password to open this: a PIN opens the till only'
      if (ctx.request.header('hx-request')) return ctx.response.forbidden(message)
      ctx.session.flashErrors({ E_FORM: message })
      return ctx.response.redirect('/login')
    }
    // The home store, or the one chosen in the session (pages) or named by X-Store-Id (API)
    const access = new StoreAccessService()
    const store = await access.resolve(ctx, user, !!options.guards?.includes('api'))
    if (!store) return ctx.response.redirect('/setup')
    ctx.store = store
    // A signed-in answer is no one else's: not kept by the browser, so Back after signing out
    // does not show a customer's details from its cache, nor by a proxy (the API's answers too,
    // which security_headers_middleware.ts marks so before any route; a route may say otherwise)
    ctx.response.header('Cache-Control', 'no-store')
    if (!isMachineRequest(ctx) && 'view' in ctx) {
      ctx.view.share({ currentUser: user, store })
      // The top bar's store switcher, for those who may switch (by password: a PIN opens the till only)
      if (!options.guards?.includes('api') && !signedInWithPin(ctx) && (await ctx.bouncer.allows('switchStore'))) {
        ctx.view.share({ storeChoices: await access.storesOf(user) })
      }
    }
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    store: Store
  }
}
