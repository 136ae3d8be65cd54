import { DateTime } from 'luxon'
import { BaseModel, afterDelete, afterSave, column } from '@adonisjs/lucid/orm'

export type DeviceKind = 'printer' | 'drawer' | 'display'

const KINDS_CACHE_MS = 5_000

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

  /** Which kinds of device a register has, cached briefly: every completed sale asks */
  static #kindsByRegister = new Map<number, { at: number; kinds: Set<DeviceKind> }>()

  /**
   * The kinds of device a register has. Kept for a few seconds so a busy till does not ask the
   * database at every sale; a change made on this server is seen at once, one made on another
   * server within KINDS_CACHE_MS.
   */
  static async kindsOf(registerId: number): Promise<Set<DeviceKind>> {
    const cached = Device.#kindsByRegister.get(registerId)
    if (cached && Date.now() - cached.at < KINDS_CACHE_MS) return cached.kinds
    const rows = await Device.query().where('register_id', registerId).select('kind')
    const kinds = new Set(rows.map((row) => row.kind))
    Device.#kindsByRegister.set(registerId, { at: Date.now(), kinds })
    return kinds
  }

  @afterSave()
  @afterDelete()
  static forgetKinds(device: Device) {
    Device.#kindsByRegister.delete(device.registerId)
  }

  get address() {
    return this.transport === 'tcp' ? `${this.host}:${this.port ?? 9100}` : (this.path ?? '')
  }
}
