import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { sessionEnded, signedInWithPin } from '#staff/sessions'

/** The login page is for people who are not signed in, or signed in at the till with a PIN only */
export default class GuestMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const web = ctx.auth.use('web')
    if ((await web.check()) && !sessionEnded(ctx, web.user!) && !signedInWithPin(ctx)) return ctx.response.redirect('/', true)
    return next()
  }
}
