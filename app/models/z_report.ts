import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Register from '#models/register'

/** Written once when a shift closes; never updated (the service has no path that saves one again) */
/** The figures of a shift (app/shifts/shift_report_service.ts works them out), frozen in a Z report */
export interface MethodTotal {
  method: string
  count: number
  amount: number
  tendered: number
  change: number
}

export interface TaxRateTotal {
  /** A stacked tax's own name (State, County, City); left out for a rate of the store's flat taxes */
  name?: string
  ratePpm: number
  net: number
  tax: number
  gross: number
}

export interface ShiftFigures {
  shiftId: number
  registerId: number
  openedAt: string
  closedAt: string | null
  currency: string
  openingFloat: number
  sales: { count: number; subtotal: number; discounts: number; tax: number; total: number; rounding: number; items: number }
  byMethod: MethodTotal[]
  taxByRate: TaxRateTotal[]
  refunds: { count: number; total: number; cash: number }
  voids: { count: number; total: number; carts: number }
  cashIn: { count: number; total: number }
  cashOut: { count: number; total: number }
  noSales: number
  cash: { float: number; taken: number; change: number; refunds: number; cashIn: number; cashOut: number; expected: number }
  counted: number | null
  difference: number | null
}

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
