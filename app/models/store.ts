import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import Register from '#models/register'

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
}
