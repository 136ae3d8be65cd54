import type { HttpContext } from '@adonisjs/core/http'
import { signedInWithPin } from '#staff/sessions'

/** The start page depends on the role: cashiers go to the till, everyone else to the back office (by password) */
export default class HomeController {
  async handle(ctx: HttpContext) {
    return ctx.response.redirect(ctx.auth.user!.role === 'cashier' || signedInWithPin(ctx) ? '/till' : '/backoffice')
  }
}
