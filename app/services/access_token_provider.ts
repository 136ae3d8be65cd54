import type { Secret } from '@adonisjs/core/helpers'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import { AccessToken, DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import type { DbAccessTokensProviderOptions } from '@adonisjs/auth/types/access_tokens'

/** How stale last_used_at may get: it says "in use lately", not "this very second" */
const TOUCH_EVERY_MS = 60_000

/**
 * The API's bearer tokens. Adonis's provider writes last_used_at on every request, which makes
 * each read of the API a database write (a commit, on MariaDB a disk flush); this one checks
 * the secret first and writes last_used_at at most once a minute per token.
 */
export class AccessTokensProvider<TokenableModel extends LucidModel> extends DbAccessTokensProvider<TokenableModel> {
  static forModel<TokenableModel extends LucidModel>(
    model: DbAccessTokensProviderOptions<TokenableModel>['tokenableModel'],
    options?: Omit<DbAccessTokensProviderOptions<TokenableModel>, 'tokenableModel'>
  ) {
    return new AccessTokensProvider<TokenableModel>({ tokenableModel: model, ...(options ?? {}) })
  }

  async verify(tokenValue: Secret<string>): Promise<AccessToken | null> {
    const decoded = AccessToken.decode(this.prefix, tokenValue.release())
    if (!decoded) return null
    const db = await this.getDb()
    const row = await db.query().from(this.table).where({ id: decoded.identifier, type: this.type }).limit(1).first()
    if (!row) return null
    const token = this.dbRowToAccessToken(row)
    if (!token.verify(decoded.secret) || token.isExpired()) return null

    const lastUsed = token.lastUsedAt ? new Date(token.lastUsedAt).getTime() : 0
    const now = Date.now()
    if (!(now - lastUsed < TOUCH_EVERY_MS)) {
      token.lastUsedAt = new Date(now)
      await db.from(this.table).where({ id: row.id, type: row.type }).update({ last_used_at: token.lastUsedAt })
    }
    return token
  }
}
