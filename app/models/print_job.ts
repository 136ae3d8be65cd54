import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type PrintJobKind = 'receipt' | 'z_report' | 'drawer' | 'display' | 'test'
export type PrintJobStatus = 'queued' | 'sent' | 'done' | 'failed'

/** One thing for a device to do, durable until the bridge reports it done (or it gives up) */
export default class PrintJob extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare registerId: number
  @column() declare deviceId: number
  @column() declare kind: PrintJobKind
  @column() declare saleId: number | null
  @column() declare uniqueKey: string | null
  @column({ serializeAs: null }) declare payload: string
  @column() declare status: PrintJobStatus
  @column() declare attempts: number
  @column.dateTime() declare nextAttemptAt: DateTime
  @column() declare bridgeId: number | null
  @column.dateTime() declare sentAt: DateTime | null
  @column.dateTime() declare completedAt: DateTime | null
  @column() declare lastError: string | null
  @column() declare warning: string | null
  @column() declare createdBy: number | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime
}
