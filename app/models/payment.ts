import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class Payment extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare saleId: number
  @column() declare storeId: number
  @column() declare userId: number
  @column() declare method: string
  @column() declare amount: number
  @column() declare tendered: number | null
  @column() declare change: number
  @column() declare reference: string | null
  @column() declare status: string
  /** The gateway plugin that took it, the key sent to it, its last message for the cashier */
  @column() declare gateway: string | null
  @column() declare idempotencyKey: string | null
  @column() declare message: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime
}
