import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export interface BridgeStatus {
  version?: string
  host?: string
  devices?: { id: number; ok: boolean; message: string }[]
}

/** A paired hardware bridge of a register (the process on the till's computer) */
export default class Bridge extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare registerId: number
  @column() declare name: string
  @column({ serializeAs: null }) declare tokenHash: string
  @column({
    prepare: (value: BridgeStatus | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | null) => (value ? JSON.parse(value) : null),
  })
  declare status: BridgeStatus | null
  @column.dateTime() declare lastSeenAt: DateTime | null
  @column.dateTime() declare revokedAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  /** Seen within the last 30 seconds (it reports every 10) */
  get online() {
    return !this.revokedAt && !!this.lastSeenAt && this.lastSeenAt > DateTime.now().minus({ seconds: 30 })
  }
}
