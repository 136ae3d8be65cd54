import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class RefundItem extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare refundId: number
  @column() declare saleItemId: number | null
  @column() declare productId: number
  @column() declare quantity: number
  @column() declare amount: number
  @column() declare taxAmount: number
  @column({ consume: Boolean }) declare restock: boolean
}
