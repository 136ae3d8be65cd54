import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { DiscountType } from '#core/tax'
import type { LineTax } from '#core/tax'

export default class SaleItem extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare saleId: number
  @column() declare productId: number
  @column() declare name: string
  @column() declare sku: string
  @column() declare quantity: number
  @column() declare listPrice: number
  @column() declare unitPrice: number
  @column() declare priceOverrideBy: number | null
  @column() declare discountType: DiscountType | null
  @column() declare discountValue: number
  @column() declare lineDiscount: number
  @column() declare cartDiscountShare: number
  @column() declare taxClass: string
  @column() declare taxRatePpm: number
  @column() declare taxTotal: number
  /** Each tax of the line (several for a US line, compound ones included), for receipts and reports */
  @column({
    prepare: (value: LineTax[] | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | LineTax[] | null) => (typeof value === 'string' ? JSON.parse(value) : (value ?? null)),
  })
  declare taxes: LineTax[] | null
  @column() declare subtotal: number
  @column() declare total: number
  @column() declare position: number
  // Raised by refunds (see refund_service.ts)
  @column() declare refundedQuantity: number
  @column() declare refundedAmount: number
  @column() declare refundedTax: number
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime
}
