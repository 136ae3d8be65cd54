import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import Register from '#models/register'
import User from '#models/user'
import Customer from '#models/customer'
import Store from '#models/store'
import type { DiscountType } from '#core/tax'
import { balanceDue } from '#core/pricing'

export type SaleStatus = 'open' | 'parked' | 'completed' | 'voided'

export default class Sale extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare registerId: number
  @column() declare userId: number
  @column() declare customerId: number | null
  @column() declare shiftId: number | null
  @column() declare status: SaleStatus
  @column() declare channel: 'till' | 'api' | 'offline'
  @column() declare number: number | null
  @column() declare subtotal: number
  @column() declare discountTotal: number
  @column() declare taxTotal: number
  @column() declare total: number
  @column() declare paidTotal: number
  @column() declare changeDue: number
  @column() declare roundingTotal: number
  @column() declare cartDiscountType: DiscountType | null
  @column() declare cartDiscountValue: number
  /**
   * What a manager approved on this cart: the discounts' share (basis points) and their amount
   * (minor units). Changes within both need no PIN (sales/discount_limit.ts)
   */
  @column() declare discountApprovedBp: number
  @column() declare discountApprovedAmount: number
  @column() declare note: string | null
  @column() declare previousHash: string | null
  @column() declare hash: string | null
  /** The UUID a till gave a sale it made offline (unique: it is recorded once) */
  @column() declare clientUuid: string | null
  @column() declare deviceId: string | null
  @column.dateTime() declare parkedAt: DateTime | null
  @column.dateTime() declare completedAt: DateTime | null
  // Returns and voids (see refund_service.ts)
  @column() declare refundedTotal: number
  @column.dateTime() declare voidedAt: DateTime | null
  @column() declare voidedBy: number | null
  @column() declare voidReason: string | null
  @column() declare voidPreviousHash: string | null
  @column() declare voidHash: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @hasMany(() => SaleItem) declare items: HasMany<typeof SaleItem>
  @hasMany(() => Payment) declare payments: HasMany<typeof Payment>
  @belongsTo(() => Register) declare register: BelongsTo<typeof Register>
  @belongsTo(() => Store) declare store: BelongsTo<typeof Store>
  @belongsTo(() => User) declare user: BelongsTo<typeof User>
  @belongsTo(() => Customer) declare customer: BelongsTo<typeof Customer>
  @belongsTo(() => User, { foreignKey: 'voidedBy' }) declare voider: BelongsTo<typeof User>

  /** What is still owed, after payments and cash rounding */
  get balanceDue() {
    return balanceDue(this)
  }
}
