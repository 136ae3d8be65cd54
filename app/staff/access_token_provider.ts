import type { Secret } from '@adonisjs/core/helpers'
import { DateTime } from 'luxon'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import { symbols } from '@adonisjs/auth'
import { AccessToken, AccessTokensLucidUserProvider, DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import { SessionLucidUserProvider } from '@adonisjs/auth/session'
import type { DbAccessTokensProviderOptions } from '@adonisjs/auth/types/access_tokens'
import User from '#models/user'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import { modelFromRow, runStatements, type Statement } from '#platform/sql_batch'
import { cachedIdentity, identityChanged, identityGeneration, keepIdentity, type IdentityRows } from '#staff/identity_cache'

/*
| Who is asking, in one round trip, or none. Every request reads its user (by the session's user
| id, or by the API token) and then the user's home store; Adonis's providers read the token,
| then the user, then the store (three round trips on MySQL/MariaDB, before the request's own
| work). These read them together (app/platform/sql_batch.ts), keep the rows for the next
| requests of the same token or user for a few seconds (app/staff/identity_cache.ts), and
| hand the store over preloaded (user.store), which StoreAccessService uses.
*/

/** How stale last_used_at may get: it says "in use lately", not "this very second" */
const TOUCH_EVERY_MS = 60_000

/*
| A token's secret is checked against its hash once per kept token row, not on every request:
| decoding the text, hashing its secret and reading the provider's query client were a
| twentieth of an API sale's server CPU under pos:bench. What a text decodes to never changes
| (`verifiedIdentifiers`, only texts that passed the check, so made-up ones cannot fill it, and
| forgotten at every change to tokens, users or stores, so a revoked token's text is not kept);
| whether it matches the token is remembered beside the kept row itself (`checkedTexts`), so it
| is checked again whenever the row is read again: after AUTH_CACHE_TTL, and at once after a
| change to tokens, users or stores (identity_cache.ts). The expiry is checked every time.
*/
const verifiedIdentifiers = new Map<string, string>()
/** The identity cache's generation the texts were verified in: a change forgets them all */
let verifiedSince = -1
const checkedTexts = new WeakMap<object, string>()
/** Texts past this many are forgotten (one per token in use) */
const SWEEP_AT = 10_000

/** The user (as u in `tables`) and the home store joined to it, for the row `where` picks */
function userAndStoreStatements(tables: string, where: string, bindings: unknown[]): Statement[] {
  return [
    { sql: `SELECT u.* FROM ${tables} WHERE ${where}`, bindings },
    { sql: `SELECT s.* FROM ${tables} JOIN stores s ON s.id = u.store_id WHERE ${where}`, bindings },
  ]
}

/** A fresh user model for this request (with its home store), from rows that may serve several */
export function userWithStore(model: typeof User, rows: IdentityRows): User | null {
  const user = rows.user ? fromKeptRow(model, rows.user) : null
  if (!user) return null
  user.$setRelated('store', rows.store ? fromKeptRow(Store, rows.store) : (null as any))
  return user
}

/** A kept row's attributes as its model consumed them (see fromKeptRow) */
const consumedRows = new WeakMap<object, Record<string, unknown>>()

/**
 * A model instance of its own for this request, from a row the identity cache keeps. Making it
 * from the row each time (Lucid's $createFromAdapterResult converts every column, dates through
 * luxon, then deep-copies the attributes) was a thirtieth of a scan's and of a sale's server CPU
 * under pos:bench. The attributes the model consumed from the row are kept beside it, and each
 * request's instance gets its own shallow copies: their values are numbers, strings, booleans,
 * null and luxon DateTimes, none of which changes in place (a row with any other value, or a
 * column the model does not name, is converted every time).
 */
function fromKeptRow<T extends typeof User | typeof Store>(model: T, row: Record<string, any>): InstanceType<T> {
  const consumed = consumedRows.get(row)
  if (!consumed) {
    const instance = modelFromRow(model, row) as InstanceType<T>
    const attributes = { ...instance.$attributes }
    const plain = !Object.keys(instance.$extras).length && Object.values(attributes).every((value) => value === null || typeof value !== 'object' || DateTime.isDateTime(value))
    if (plain) consumedRows.set(row, attributes)
    return instance
  }
  const instance = new model() as InstanceType<T>
  instance.$attributes = { ...consumed }
  instance.$original = { ...consumed }
  instance.$isPersisted = true
  instance.$isLocal = false
  return instance
}

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
    return (await this.verifyWithUser(tokenValue))?.token ?? null
  }

  /** The token, its user and the user's home store, in one round trip */
  async verifyWithUser(tokenValue: Secret<string>): Promise<{ token: AccessToken; user: User | null } | null> {
    const text = tokenValue.release()
    // After a change (a token revoked, a user disabled) no text stays in memory for it
    if (verifiedSince !== identityGeneration()) {
      verifiedIdentifiers.clear()
      verifiedSince = identityGeneration()
    }
    const identifier = verifiedIdentifiers.get(text)
    let rows = identifier === undefined ? null : cachedIdentity(`token:${identifier}`)
    if (!rows?.token || checkedTexts.get(rows.token) !== text) {
      rows = await this.readAndCheck(text)
      if (!rows) return null
    }
    const row = rows.token!
    const token = this.dbRowToAccessToken(row as any)
    if (token.isExpired()) return null

    const lastUsed = token.lastUsedAt ? new Date(token.lastUsedAt).getTime() : 0
    const now = Date.now()
    if (!(now - lastUsed < TOUCH_EVERY_MS)) {
      token.lastUsedAt = new Date(now)
      // The kept row says so too, or each request until it expires would write it again
      row.last_used_at = token.lastUsedAt
      await (await this.getDb()).from(this.table).where({ id: row.id, type: row.type }).update({ last_used_at: token.lastUsedAt })
    }
    const model = (await this.resolveTokenableModel()) as unknown as typeof User
    return { token, user: userWithStore(model, rows) }
  }

  /**
   * The text decoded, its rows (kept ones, or read in one round trip), and its secret checked
   * against the token's hash: null when any of it fails
   */
  private async readAndCheck(text: string): Promise<IdentityRows | null> {
    const decoded = AccessToken.decode(this.prefix, text)
    if (!decoded) return null
    const key = `token:${decoded.identifier}`
    let rows = cachedIdentity(key)
    if (!rows) {
      const since = identityGeneration()
      const [tokenRead, userRead, storeRead] = await runStatements(await this.getDb(), [
        { sql: `SELECT * FROM ${this.table} WHERE id = ? AND type = ?`, bindings: [decoded.identifier, this.type] },
        ...userAndStoreStatements(`${this.table} t JOIN users u ON u.id = t.tokenable_id`, 't.id = ? AND t.type = ?', [decoded.identifier, this.type]),
      ])
      rows = { token: tokenRead.rows[0], user: userRead.rows[0], store: storeRead.rows[0] }
      // Only a token that exists is kept: a made-up one is read (and refused) every time
      if (rows.token) keepIdentity(key, rows, since)
    }
    if (!rows.token || !this.dbRowToAccessToken(rows.token as any).verify(decoded.secret)) return null
    if (verifiedIdentifiers.size >= SWEEP_AT) verifiedIdentifiers.clear()
    verifiedIdentifiers.set(text, String(decoded.identifier))
    checkedTexts.set(rows.token, text)
    return rows
  }

  // A deleted token is refused from the next request on (identity_cache.ts)
  async delete(...args: Parameters<DbAccessTokensProvider<TokenableModel>['delete']>) {
    const deleted = await super.delete(...args)
    identityChanged()
    return deleted
  }

  async deleteAll(...args: Parameters<DbAccessTokensProvider<TokenableModel>['deleteAll']>) {
    const deleted = await super.deleteAll(...args)
    identityChanged()
    return deleted
  }

  async invalidate(...args: Parameters<DbAccessTokensProvider<TokenableModel>['invalidate']>) {
    const invalidated = await super.invalidate(...args)
    identityChanged()
    return invalidated
  }

  protected resolveTokenableModel() {
    return (this as any).options.tokenableModel as TokenableModel
  }
}

/**
 * The API guard's user provider, one per request: the user read with the token (verifyToken)
 * is the one findById answers with, instead of reading it again
 */
export class TokenUserProvider {
  declare [symbols.PROVIDER_REAL_USER]: User
  #verified: User | null = null

  constructor(private shared: AccessTokensLucidUserProvider<'accessTokens', typeof User>) {}

  createUserForGuard(user: User) {
    return this.shared.createUserForGuard(user)
  }

  createToken(user: User, abilities?: string[], options?: { name?: string; expiresIn?: string | number }) {
    return this.shared.createToken(user, abilities, options)
  }

  invalidateToken(tokenValue: Secret<string>) {
    return this.shared.invalidateToken(tokenValue)
  }

  async verifyToken(tokenValue: Secret<string>) {
    // getModel is protected; the model is already loaded by then (a cached import)
    const model: typeof User = await (this.shared as any).getModel()
    const found = await (model.accessTokens as AccessTokensProvider<typeof User>).verifyWithUser(tokenValue)
    this.#verified = found?.user ?? null
    return found?.token ?? null
  }

  async findById(identifier: string | number | BigInt) {
    if (this.#verified && this.#verified.id === Number(identifier)) return this.createUserForGuard(this.#verified)
    return this.shared.findById(identifier)
  }
}

/** A signed-in user by id, with their home store: kept rows, else one round trip (and kept) */
export async function sessionUserById(model: typeof User, identifier: string | number | BigInt) {
  const key = `user:${identifier}`
  let rows = cachedIdentity(key)
  if (!rows) {
    const since = identityGeneration()
    const [userRead, storeRead] = await runStatements(db.connection(model.connection), userAndStoreStatements('users u', 'u.id = ?', [identifier]))
    rows = { user: userRead.rows[0], store: storeRead.rows[0] }
    if (rows.user) keepIdentity(key, rows, since)
  }
  return userWithStore(model, rows)
}

/** The session guard's user provider: the signed-in user and their home store in one round trip */
export class SessionUserProvider extends SessionLucidUserProvider<typeof User> {
  async findById(identifier: string | number | BigInt) {
    const user = await sessionUserById((await this.getModel()) as unknown as typeof User, identifier)
    return user ? this.createUserForGuard(user) : null
  }
}

/*
| User.accessTokens, the model's API tokens, are this provider. It is attached here rather than in
| the model because a model imports no service; config/auth.ts imports this module at boot.
*/
User.accessTokens = AccessTokensProvider.forModel(User, { expiresIn: '30 days' })
