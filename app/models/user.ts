import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, afterDelete, afterSave, beforeSave, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import Store from '#models/store'
import { AccessTokensProvider } from '#services/access_token_provider'
import { identityChanged } from '#services/identity_cache'

export const ROLES = ['admin', 'manager', 'cashier', 'accountant'] as const
export type Role = (typeof ROLES)[number]

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

export default class User extends compose(BaseModel, AuthFinder) {
  static accessTokens = AccessTokensProvider.forModel(User, { expiresIn: '30 days' })

  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number | null
  @column() declare name: string
  @column() declare email: string
  @column({ serializeAs: null }) declare password: string
  @column({ serializeAs: null }) declare pin: string | null
  @column() declare role: Role
  @column({ consume: Boolean }) declare active: boolean
  @column.dateTime() declare lastLoginAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @belongsTo(() => Store) declare store: BelongsTo<typeof Store>

  /** PINs are hashed like passwords; one already hashed (by a caller) is kept as it is */
  @beforeSave()
  static async hashPin(user: User) {
    if (user.$dirty.pin && user.pin && !user.pin.startsWith('$')) {
      user.pin = await hash.make(user.pin)
    }
  }

  // Requests read users through a short cache (identity_cache.ts): a change is seen from the next one
  @afterSave()
  @afterDelete()
  static forgetKeptIdentities(user: User) {
    identityChanged(user.$trx)
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
