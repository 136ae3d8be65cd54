import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class StockMovement extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare productId: number
  @column() declare quantity: number
  @column() declare reason: string
  @column() declare saleId: number | null
  @column() declare userId: number | null
  @column() declare note: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
}
