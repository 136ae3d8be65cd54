import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type DeviceKind = 'printer' | 'drawer' | 'display'

/** A printer, a cash drawer (kicked through a printer) or a customer display of a register */
export default class Device extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare registerId: number
  @column() declare kind: DeviceKind
  @column() declare name: string
  @column() declare transport: 'tcp' | 'file'
  @column() declare host: string | null
  @column() declare port: number | null
  @column() declare path: string | null
  @column() declare printerId: number | null
  @column() declare drawerPin: number
  @column() declare pulseOnMs: number
  @column() declare pulseOffMs: number
  @column() declare columns: number
  @column() declare codepageMapping: string
  @column() declare codeStyle: 'qr' | 'barcode' | 'none'
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  get address() {
    return this.transport === 'tcp' ? `${this.host}:${this.port ?? 9100}` : (this.path ?? '')
  }
}
