import app from '@adonisjs/core/services/app'
import { configProvider } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import User from '#models/user'
import { sessionUserById } from '#staff/access_token_provider'
import { sessionDataEnded } from '#staff/sessions'

/*
| Who sends a page's request, known before the session middleware runs: the body parser runs
| first (Shield's CSRF check reads the _csrf field from the parsed body) and picks its limits by
| who asks (app/middleware/body_parser_middleware.ts). Read only, and no new cost: the session's
| store is read as the session middleware then reads it (the cookie store keeps what it decrypted,
| so the second read is a look-up), and the user comes from the identity cache, as the auth
| middleware's own read then does (a database round trip only when its rows are not fresh, which
| the auth middleware then saves). Nothing is written and nothing is answered here: the session,
| Shield and the auth and can middleware run after as before and decide the request's answer.
*/

/** Where the session guard named web keeps its user's id (Adonis's SessionGuard.sessionKeyName) */
const USER_KEY = 'auth_web'

let config: any

/** The active user this request's session is signed in as (not ended), or null: no session, no user */
export async function signedInUser(ctx: HttpContext): Promise<User | null> {
  config ??= await configProvider.resolve<any>(app, app.config.get('session'))
  if (!config?.enabled) return null
  const sessionId = ctx.request.cookie(config.cookieName)
  if (typeof sessionId !== 'string' || !sessionId) return null
  const values = await config.stores[config.store](ctx, config).read(sessionId)
  const userId = values?.[USER_KEY]
  if (userId === undefined || userId === null) return null
  const user = await sessionUserById(User, userId)
  if (!user || !user.active || sessionDataEnded(values, user)) return null
  return user
}
