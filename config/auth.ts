import { defineConfig } from '@adonisjs/auth'
import { sessionGuard } from '@adonisjs/auth/session'
import { AccessTokensGuard, tokensUserProvider } from '@adonisjs/auth/access_tokens'
import type { ApplicationService } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'
import { SessionUserProvider, TokenUserProvider } from '#staff/access_token_provider'
import type { InferAuthenticators, InferAuthEvents, Authenticators } from '@adonisjs/auth/types'

const authConfig = defineConfig({
  default: 'web',
  guards: {
    // The user and their home store are read in one round trip (access_token_provider.ts)
    web: sessionGuard({
      useRememberMeTokens: false,
      provider: new SessionUserProvider({ model: () => import('#models/user') }),
    }),
    // As tokensGuard(), with a user provider per request that keeps the user read with the token
    api: {
      async resolver(name: string, app: ApplicationService) {
        const emitter = await app.container.make('emitter')
        const shared = tokensUserProvider({ tokens: 'accessTokens', model: () => import('#models/user') })
        return (ctx: HttpContext) => new AccessTokensGuard(name, ctx, emitter as any, new TokenUserProvider(shared))
      },
    },
  },
})

export default authConfig

declare module '@adonisjs/auth/types' {
  export interface Authenticators extends InferAuthenticators<typeof authConfig> {}
}
declare module '@adonisjs/core/types' {
  interface EventsList extends InferAuthEvents<Authenticators> {}
}
