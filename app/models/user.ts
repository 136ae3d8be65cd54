import { scrypt } from 'node:crypto'
import { promisify } from 'node:util'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import type { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import Store from '#models/store'
import env from '#start/env'

export const ROLES = ['admin', 'manager', 'cashier', 'accountant'] as const
export type Role = (typeof ROLES)[number]

const scryptAsync = promisify(scrypt) as (pin: string, salt: string, length: number, options: object) => Promise<Buffer>

/**
 * A PIN's digest: the same for the same PIN in this installation, so two people's PINs compare
 * without either being typed (a PIN's hash is salted per person). Salted with the installation's
 * APP_KEY (no table computed once reads every installation's) and slow like the hash: a copy of
 * the users table costs as much work to read a PIN from as the hashes do.
 */
export async function pinDigest(pin: string): Promise<string> {
  const salt = `pos-pin-digest:${env.get('APP_KEY').release()}`
  const digest = await scryptAsync(pin, salt, 32, { N: app.inTest ? 1024 : 16384, r: 8, p: 1, maxmem: 33554432 })
  return digest.toString('hex')
}

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

export default class User extends compose(BaseModel, AuthFinder) {
  /** API tokens: attached by app/staff/access_token_provider.ts (a model imports no service) */
  declare static accessTokens: DbAccessTokensProvider<typeof User>

  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number | null
  @column() declare name: string
  @column() declare email: string
  @column({ serializeAs: null }) declare password: string
  @column({ serializeAs: null }) declare pin: string | null
  /** The PIN's digest (pinDigest), to compare PINs across people; null when not known (set before it was kept) */
  @column({ serializeAs: null }) declare pinDigest: string | null
  @column() declare role: Role
  @column({ consume: Boolean }) declare active: boolean
  @column.dateTime() declare lastLoginAt: DateTime | null
  /** Sessions signed in at an older version are ended: app/staff/sessions.ts */
  @column({ serializeAs: null, consume: Number }) declare sessionVersion: number
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @belongsTo(() => Store) declare store: BelongsTo<typeof Store>

  /**
   * PINs are hashed like passwords, with their digest kept beside; one already hashed (by a
   * caller) is kept as it is, its digest as the caller gave it (else not known)
   */
  @beforeSave()
  static async hashPin(user: User) {
    if (!user.$dirty.pin) return
    if (user.pin && !user.pin.startsWith('$')) {
      user.pinDigest = await pinDigest(user.pin)
      user.pin = await hash.make(user.pin)
    } else if (!user.$dirty.pinDigest) {
      user.pinDigest = null
    }
  }

  get isManager() {
    return this.role === 'admin' || this.role === 'manager'
  }

  get firstName() {
    return this.name.split(/\s+/)[0]
  }

  toApi() {
    return { id: this.id, email: this.email, name: this.name, role: this.role }
  }
}
