import { DateTime } from 'luxon'
import { BaseModel, beforeCreate, column, hasMany } from '@adonisjs/lucid/orm'
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
  /** How much of a sale's amount before discounts a cashier may take off without a manager, in basis points (2000 = 20%) */
  @column() declare discountLimit: number
  @column() declare receiptFooter: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @hasMany(() => Register) declare registers: HasMany<typeof Register>

  /** The column's default, on the model too: a store just created is used as it is (a sale's discount check reads it) */
  @beforeCreate()
  static defaultDiscountLimit(store: Store) {
    store.discountLimit ??= 2000
  }
}
