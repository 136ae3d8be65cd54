import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { sessionEnded } from '#staff/sessions'

/** The login page is for people who are not signed in */
export default class GuestMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const web = ctx.auth.use('web')
    if ((await web.check()) && !sessionEnded(ctx, web.user!)) return ctx.response.redirect('/', true)
    return next()
  }
}
