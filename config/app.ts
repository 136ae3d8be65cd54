import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'
import { answerBadUrl } from '#exceptions/bad_url'

export const appUrl = env.get('APP_URL')

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // X-Forwarded-For (the client address that login and PIN rate limits count) is believed only
  // from these proxies: comma-separated addresses, CIDR ranges or proxy-addr names
  // (loopback, linklocal, uniquelocal). Anyone else's header is ignored (docs/deploy.md)
  trustProxy: env.get('TRUSTED_PROXIES', 'loopback'),
  // An address that cannot be decoded: a JSON 400 on the API (app/exceptions/bad_url.ts)
  onBadUrl: answerBadUrl,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction && env.get('APP_URL', '').startsWith('https'),
    sameSite: 'lax',
  },
})
