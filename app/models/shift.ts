import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Register from '#models/register'
import User from '#models/user'

export default class Shift extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare registerId: number
  @column() declare openRegisterId: number | null
  @column() declare status: 'open' | 'closed'
  @column() declare openedBy: number
  @column.dateTime() declare openedAt: DateTime
  @column() declare openingFloat: number
  @column() declare floatCounts: string | null
  @column() declare closedBy: number | null
  @column.dateTime() declare closedAt: DateTime | null
  @column() declare countedCash: number | null
  @column() declare countedCounts: string | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  @belongsTo(() => Register) declare register: BelongsTo<typeof Register>
  @belongsTo(() => User, { foreignKey: 'openedBy' }) declare opener: BelongsTo<typeof User>
  @belongsTo(() => User, { foreignKey: 'closedBy' }) declare closer: BelongsTo<typeof User>
}
