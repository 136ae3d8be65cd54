import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class ProductBarcode extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare productId: number
  @column() declare code: string
}
