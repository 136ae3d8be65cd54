import { test } from '@japa/runner'
import { SlidingCookieStore } from '#staff/sliding_cookie_store'

/*
| The session cookie's data carries when it was last written; a copy sent after the session's
| age is no session, whatever the browser was told (the cookie's text has no expiry of its own).
| The request here gives the store only what it reads: the cookie's text and its decrypted value.
*/
function storeReading(value: Record<string, unknown>) {
  const text = `text-${Math.random()}`
  const ctx = { request: { cookiesList: () => ({ sid: text }), encryptedCookie: () => value } } as any
  return new SlidingCookieStore({}, ctx, '12h')
}

test.group('Session cookie data', () => {
  test('data written within the age is read; data written longer ago, or with no time, is no session', ({ assert }) => {
    const hour = 3_600_000
    assert.deepEqual(storeReading({ auth_web: 7, __written_at: Date.now() - 11 * hour }).read('sid'), { auth_web: 7 })
    assert.isNull(storeReading({ auth_web: 7, __written_at: Date.now() - 13 * hour }).read('sid'))
    assert.isNull(storeReading({ auth_web: 7 }).read('sid'))
  })
})
