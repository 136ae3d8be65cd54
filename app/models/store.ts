import { DateTime } from 'luxon'
import { BaseModel, afterDelete, afterSave, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import Register from '#models/register'
import { identityChanged } from '#services/identity_cache'

export default class Store extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare name: string
  @column() declare address: string | null
  @column() declare currency: string
  @column() declare timeZone: string
  @column({ consume: Boolean }) declare allowNegativeStock: boolean
  @column({ consume: Boolean }) declare pricesIncludeTax: boolean
  @column() declare cashRounding: number
  @column() declare receiptFooter: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @hasMany(() => Register) declare registers: HasMany<typeof Register>

  // Requests read their home store with the user through a short cache (identity_cache.ts)
  @afterSave()
  @afterDelete()
  static forgetKeptIdentities(store: Store) {
    identityChanged(store.$trx)
  }
}
