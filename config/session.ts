import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { configProvider } from '@adonisjs/core'
import { defineConfig } from '@adonisjs/session'

export default defineConfig({
  enabled: true,
  cookieName: 'pos-session',
  clearWithBrowser: false,
  age: '12h',
  // Secure behind https, as config/app.ts's cookies (the session's were never Secure, even on https)
  cookie: { path: '/', httpOnly: true, secure: app.inProduction && env.get('APP_URL', '').startsWith('https'), sameSite: 'lax' },
  store: env.get('SESSION_DRIVER'),
  stores: {
    // Adonis's cookie store, but an unchanged session is not encrypted again on every request
    cookie: configProvider.create(async () => {
      const { SlidingCookieStore } = await import('#staff/sliding_cookie_store')
      return (ctx, sessionConfig) => new SlidingCookieStore(sessionConfig.cookie, ctx, sessionConfig.age)
    }),
  },
})
