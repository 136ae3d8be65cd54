import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Register from '#models/register'
import type { ShiftFigures } from '#services/shift_report_service'

/** Written once when a shift closes; never updated (the service has no path that saves one again) */
export default class ZReport extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare registerId: number
  @column() declare shiftId: number
  @column() declare number: number
  @column() declare salesCount: number
  @column() declare salesTotal: number
  @column() declare expectedCash: number
  @column() declare countedCash: number
  @column() declare difference: number
  @column() declare snapshot: string
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime

  @belongsTo(() => Register) declare register: BelongsTo<typeof Register>

  get figures(): ShiftFigures {
    return JSON.parse(this.snapshot)
  }
}
