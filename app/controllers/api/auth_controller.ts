import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { errors as limiterErrors } from '@adonisjs/limiter'
import User from '#models/user'
import AuthService from '#staff/auth_service'
import { loginValidator } from '#validators/auth'
import { DomainError } from '#exceptions/domain_error'
import { retryAfterOf } from '#exceptions/api_errors'

@inject()
export default class AuthController {
  constructor(private auth: AuthService) {}

  async login({ request, response }: HttpContext) {
    const { email, password } = await request.validateUsing(loginValidator)
    const user = await this.auth.attemptLogin(email, password, request.ip()).catch((error) => {
      if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
      // With the wait, in words and as Retry-After: a client told only "Too many requests" could
      // not know when to sign in again (the sign-in form says it in words too)
      const seconds = retryAfterOf(error)
      throw new DomainError(`Too many failed sign-ins: try again in ${Math.ceil(seconds / 60)} minute(s)`, { status: 429, code: 'too_many_requests', retryAfter: seconds })
    })
    const token = await User.accessTokens.create(user, ['*'], { name: request.header('user-agent')?.slice(0, 200) })
    return response.ok({ token: token.value!.release(), expires_at: token.expiresAt?.toISOString() ?? null, user: user.toApi() })
  }

  async logout({ auth, response }: HttpContext) {
    const user = auth.use('api').user!
    await User.accessTokens.delete(user, user.currentAccessToken.identifier)
    return response.noContent()
  }

  async me({ auth, store }: HttpContext) {
    const user = auth.use('api').user!
    return { user: user.toApi(), store: { id: store.id, name: store.name, currency: store.currency, time_zone: store.timeZone } }
  }
}
