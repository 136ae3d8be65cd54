import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class RefundPayment extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare refundId: number
  @column() declare method: string
  @column() declare amount: number
}
