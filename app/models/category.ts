import { DateTime } from 'luxon'
import { BaseModel, beforeSave, column } from '@adonisjs/lucid/orm'
import { nameKey } from '#core/name_key'

export default class Category extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare name: string
  /** What the store's unique key compares (app/core/name_key.ts): written with every name */
  @column() declare nameKey: string
  @column() declare color: string | null
  @column() declare position: number
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @beforeSave()
  static keyName(category: Category) {
    if (category.$dirty.name !== undefined) category.nameKey = nameKey(category.name)
  }
}
