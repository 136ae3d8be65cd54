import type { HttpContext } from '@adonisjs/core/http'
import type { CookieOptions } from '@adonisjs/core/types/http'
import type { SessionData, SessionStoreContract } from '@adonisjs/session/types'
import string from '@adonisjs/core/helpers/string'

/** When the data cookie was last written (kept inside it, never seen by the app) */
const WRITTEN_AT = '__written_at'
/** Unchanged session data is written again (pushing the cookie's expiry) at most this often */
export const REWRITE_MS = 5 * 60_000

/**
 * Session data already decrypted, as JSON, by the cookie's name (the session id) and exact text.
 * A till sends the same cookie with every scan (it changes only when the data does, or every
 * REWRITE_MS), and its AES-GCM decryption and JSON parse were about 2% of a scan's server CPU.
 * Only a text that decrypted is kept, so a forged or altered cookie is never found here; under
 * the app's key the same text always decrypts to the same data (it carries no expiry of its
 * own). The name is part of the key because it is the decryption's purpose: one session's data
 * sent under another session's id does not decrypt, and must not be found here either.
 */
const decrypted = new Map<string, string>()
const KEEP_DECRYPTED = 2000

function keepDecrypted(key: string, values: SessionData) {
  if (decrypted.size >= KEEP_DECRYPTED) decrypted.delete(decrypted.keys().next().value!)
  decrypted.set(key, JSON.stringify(values))
}

/**
 * Session data in an encrypted cookie, as Adonis's cookie store keeps it, without its cost on
 * every request: that store "touches" an unchanged session by decrypting the cookie a second
 * time and encrypting it again, three cipher operations for each till scan. This one keeps what
 * it read and writes unchanged data again only every REWRITE_MS, so the session still lasts its
 * age from the last request, give or take those minutes.
 */
export class SlidingCookieStore implements SessionStoreContract {
  #values: SessionData | null = null
  #writtenAt = 0
  #ageMs: number

  constructor(
    private config: Partial<CookieOptions>,
    private ctx: HttpContext,
    age: string | number
  ) {
    this.#ageMs = string.seconds.parse(age) * 1000
  }

  read(sessionId: string): SessionData | null {
    const text = this.ctx.request.cookiesList()[sessionId]
    if (typeof text !== 'string') return null
    const key = `${sessionId}\0${text}`
    const kept = decrypted.get(key)
    const value = kept === undefined ? this.ctx.request.encryptedCookie(sessionId) : JSON.parse(kept)
    if (typeof value !== 'object' || value === null) return null
    if (kept === undefined) keepDecrypted(key, value)
    const { [WRITTEN_AT]: writtenAt, ...values } = value as SessionData
    // The cookie's expiry is the browser's to keep: a copy sent after its age is over (the
    // encrypted text carries no expiry of its own) is no session
    if (!(Date.now() - (Number(writtenAt) || 0) < this.#ageMs)) return null
    this.#writtenAt = Number(writtenAt) || 0
    this.#values = values
    return values
  }

  write(sessionId: string, values: SessionData) {
    this.#values = values
    this.#writtenAt = Date.now()
    this.ctx.response.encryptedCookie(sessionId, { ...values, [WRITTEN_AT]: this.#writtenAt }, this.config)
  }

  destroy(sessionId: string) {
    if (this.ctx.request.cookiesList()[sessionId]) this.ctx.response.clearCookie(sessionId)
  }

  touch(sessionId: string) {
    if (this.#values && Date.now() - this.#writtenAt < REWRITE_MS) return
    const values = this.#values ?? this.read(sessionId)
    if (values) this.write(sessionId, values)
  }
}
