import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, beforeSave, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import type { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import Store from '#models/store'

export const ROLES = ['admin', 'manager', 'cashier', 'accountant'] as const
export type Role = (typeof ROLES)[number]

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
  @column() declare role: Role
  @column({ consume: Boolean }) declare active: boolean
  @column.dateTime() declare lastLoginAt: DateTime | null
  /** Sessions signed in at an older version are ended: app/staff/sessions.ts */
  @column({ serializeAs: null, consume: Number }) declare sessionVersion: number
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
