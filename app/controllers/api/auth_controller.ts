import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import User from '#models/user'
import AuthService from '#staff/auth_service'
import { loginValidator } from '#validators/auth'

@inject()
export default class AuthController {
  constructor(private auth: AuthService) {}

  async login({ request, response }: HttpContext) {
    const { email, password } = await request.validateUsing(loginValidator)
    const user = await this.auth.attemptLogin(email, password, request.ip())
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
