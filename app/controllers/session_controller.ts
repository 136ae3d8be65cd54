import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as limiterErrors } from '@adonisjs/limiter'
import AuthService from '#staff/auth_service'
import { loginValidator } from '#validators/auth'
import { retryAfterOf } from '#exceptions/api_errors'
import { recordAudit } from '#platform/audit_service'
import Store from '#models/store'
import { endSessions, signIn } from '#staff/sessions'
import { actorOf } from '#staff/actor'
import RegisterLeaseService from '#sales/register_lease_service'

@inject()
export default class SessionController {
  constructor(private authService: AuthService) {}

  async create({ view, response }: HttpContext) {
    if (!(await Store.query().first())) return response.redirect('/setup')
    return view.render('auth/login')
  }

  async store(ctx: HttpContext) {
    const { request, response, session, view } = ctx
    const { email, password } = await request.validateUsing(loginValidator)
    try {
      const user = await this.authService.attemptLogin(email, password, request.ip())
      await signIn(ctx, user)
      return response.redirect('/')
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
        // The wait as it is (it always said 15 minutes), and as Retry-After
        const seconds = retryAfterOf(error)
        response.status(429).header('Retry-After', String(seconds))
        return view.render('auth/login', { blocked: `Too many failed sign-ins. Try again in ${Math.ceil(seconds / 60)} minute(s).`, email })
      }
      if (error instanceof authErrors.E_INVALID_CREDENTIALS) {
        session.flashOnly(['email'])
        session.flashErrors({ E_FORM: error.message === 'This account is disabled' ? error.message : 'Wrong email or password' })
        return response.redirect('/login')
      }
      throw error
    }
  }

  async destroy(ctx: HttpContext) {
    const { auth, response, request } = ctx
    const user = auth.use('web').user!
    await recordAudit({ action: 'logout', userId: user.id, storeId: user.storeId, ip: request.ip() })
    // Signing out on a till (its device id): sales made there in this user's name after now are not theirs
    await new RegisterLeaseService().signedOut(user.id, actorOf(ctx).deviceId)
    await endSessions(user)
    await auth.use('web').logout()
    return response.redirect('/login')
  }
}
