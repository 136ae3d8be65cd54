import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Category from '#models/category'
import ProductBarcode from '#models/product_barcode'

export default class Product extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare categoryId: number | null
  @column() declare name: string
  @column() declare sku: string
  @column() declare price: number
  @column() declare cost: number
  @column() declare taxClass: string
  @column() declare stock: number
  @column() declare lowStockThreshold: number
  @column({ consume: Boolean }) declare active: boolean
  @column.dateTime() declare archivedAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @belongsTo(() => Category) declare category: BelongsTo<typeof Category>
  @hasMany(() => ProductBarcode) declare barcodes: HasMany<typeof ProductBarcode>

  get sellable() {
    return this.active && !this.archivedAt
  }
}
