import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class AuditLog extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number | null
  @column() declare userId: number | null
  @column() declare action: string
  @column() declare subjectType: string | null
  @column() declare subjectId: number | null
  @column({ prepare: (value) => (value == null ? null : JSON.stringify(value)), consume: (value) => (value ? JSON.parse(value) : null) })
  declare data: Record<string, unknown> | null
  @column() declare ip: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
}
