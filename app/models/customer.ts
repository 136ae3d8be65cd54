import { DateTime } from 'luxon'
import { BaseModel, beforeSave, column } from '@adonisjs/lucid/orm'

/** A phone's digits, last first: a search by its last digits is then a prefix of this (an index range) */
export function phoneDigitsReversed(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '')
  return digits ? [...digits].reverse().join('') : null
}

export default class Customer extends BaseModel {
  @column({ isPrimary: true }) declare id: number
  @column() declare storeId: number
  @column() declare name: string
  @column() declare email: string | null
  @column() declare phone: string | null
  /** Kept with `phone` (below); searched by app/customers/customer_service.ts */
  @column({ serializeAs: null }) declare phoneReversed: string | null
  @column() declare notes: string | null
  /** Set when the customer's personal data was erased; the row stays so their sales add up */
  @column.dateTime() declare erasedAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  /** The most a receipt shows of a customer; nothing once they were erased */
  get firstName(): string | null {
    if (this.erasedAt) return null
    return this.name.split(/\s+/)[0]
  }

  get isErased() {
    return !!this.erasedAt
  }

  @beforeSave()
  static keepPhoneReversed(customer: Customer) {
    if ('phone' in customer.$dirty) customer.phoneReversed = phoneDigitsReversed(customer.phone)
  }
}
