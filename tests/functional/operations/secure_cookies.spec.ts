import { test } from '@japa/runner'
import { startCapturedServer } from './server_child.js'

/*
| Cookies on https. In production with APP_URL on https:// (behind a proxy ending TLS), every
| cookie the app sets is Secure; the session's were not (config/session.ts said secure: false), so
| a browser would send the session over plain http to the same host.
*/
function cookies(response: Response) {
  return response.headers.getSetCookie()
}

test.group('Cookies on https', () => {
  test('in production behind https every cookie is Secure, the session\u2019s included; on plain http none is', async ({ assert }) => {
    const port = Number(process.env.PORT) + 19
    for (const [url, secure] of [['https://pos.test', true], ['http://pos.test', false]] as const) {
      const server = await startCapturedServer(port, { NODE_ENV: 'production', LOG_LEVEL: 'warn', APP_URL: url })
      try {
        const page = await fetch(`${server.url}/login`, { headers: { 'x-forwarded-proto': url.slice(0, url.indexOf(':')) } })
        assert.equal(page.status, 200)
        const set = cookies(page)
        assert.isTrue(set.some((cookie) => cookie.startsWith('pos-session=')), set.join('\n'))
        for (const cookie of set) assert.equal(/;\s*Secure/i.test(cookie), secure, `${url}: ${cookie}`)
      } finally {
        await server.stop()
      }
    }
  }).timeout(120_000)
})
