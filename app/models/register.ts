import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Store from '#models/store'

export default class Register extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare name: string
  @column() declare lastSaleNumber: number
  @column() declare lastSaleHash: string | null
  @column() declare openShiftId: number | null
  @column() declare lastZNumber: number
  /** The device (a till's browser) holding the register for offline selling, if any (register_lease_service.ts) */
  @column() declare leaseDeviceId: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @belongsTo(() => Store) declare store: BelongsTo<typeof Store>
}
