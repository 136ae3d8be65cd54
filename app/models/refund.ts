import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import RefundItem from '#models/refund_item'
import RefundPayment from '#models/refund_payment'

export default class Refund extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare saleId: number | null
  @column() declare registerId: number
  /** The shift open on that register when the refund was made: its Z report counts it (null: none was open) */
  @column() declare shiftId: number | null
  @column() declare userId: number
  @column() declare approvedBy: number | null
  @column() declare reason: string
  @column() declare kind: 'refund' | 'exchange'
  @column() declare exchangeSaleId: number | null
  @column() declare total: number
  @column() declare taxTotal: number
  @column() declare previousHash: string | null
  @column() declare hash: string
  @column.dateTime() declare createdAt: DateTime

  @hasMany(() => RefundItem) declare items: HasMany<typeof RefundItem>
  @hasMany(() => RefundPayment) declare payments: HasMany<typeof RefundPayment>
}
