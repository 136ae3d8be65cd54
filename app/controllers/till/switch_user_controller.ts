import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import User from '#models/user'
import AuthService from '#staff/auth_service'
import { recordAudit } from '#platform/audit_service'
import { switchUserValidator } from '#validators/till'
import { signIn } from '#staff/sessions'

/** Another cashier takes over this till with their PIN; the register's cart stays as it is */
@inject()
export default class SwitchUserController {
  constructor(private auth: AuthService) {}

  async show(ctx: HttpContext) {
    const users = await User.query()
      .where({ store_id: ctx.store.id, active: true })
      .whereIn('role', ['admin', 'manager', 'cashier'])
      .whereNotNull('pin')
      .orderBy('name')
    return ctx.view.render('till/_switch_user', { users })
  }

  async store(ctx: HttpContext) {
    const { user_id: userId, pin } = await ctx.request.validateUsing(switchUserValidator)
    const previous = ctx.auth.user!
    const user = await this.auth.verifyPin(ctx.store.id, pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, userId })
    if (!['admin', 'manager', 'cashier'].includes(user.role)) {
      return ctx.response.forbidden('This user may not sell')
    }
    // The till only: the back office asks for the password (app/staff/sessions.ts)
    await signIn(ctx, user, 'pin')
    await recordAudit({ action: 'till_user_switched', storeId: ctx.store.id, userId: user.id, data: { from: previous.id }, ip: ctx.request.ip() })
    ctx.response.header('HX-Redirect', '/till')
    return ''
  }
}
