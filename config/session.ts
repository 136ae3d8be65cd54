import env from '#start/env'
import { configProvider } from '@adonisjs/core'
import { defineConfig } from '@adonisjs/session'

export default defineConfig({
  enabled: true,
  cookieName: 'pos-session',
  clearWithBrowser: false,
  age: '12h',
  cookie: { path: '/', httpOnly: true, secure: false, sameSite: 'lax' },
  store: env.get('SESSION_DRIVER'),
  stores: {
    // Adonis's cookie store, but an unchanged session is not encrypted again on every request
    cookie: configProvider.create(async () => {
      const { SlidingCookieStore } = await import('#staff/sliding_cookie_store')
      return (ctx, sessionConfig) => new SlidingCookieStore(sessionConfig.cookie, ctx, sessionConfig.age)
    }),
  },
})
