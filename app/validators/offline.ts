import vine from '@vinejs/vine'
import { id, integer, price, quantity, textNumber } from '#validators/fields'
import { MAX_SALE_TOTAL } from '#core/money'

/**
 * A UUID in small letters, as the till makes it (crypto.randomUUID): the same UUID in capitals is
 * the same sale or device. MariaDB compares them case-insensitively and SQLite does not: a recorded
 * sale resent in capitals was a 500 on MariaDB and a conflict on SQLite
 */
const uuid = () => vine.string().trim().uuid().toLowerCase()
/** A sum in minor units, zero allowed (a discount, a total) */
const sum = () => integer().min(0).max(MAX_SALE_TOTAL)

/** A sale the till made while the server was out of reach, as its device recorded it */
const offlineSaleFields = {
  client_uuid: uuid(),
  device_id: uuid(),
  register_id: id(),
  user_id: id(),
  number: integer().min(1).max(1_000_000_000),
  previous_hash: vine.string().regex(/^[0-9a-f]{64}$/).nullable(),
  hash: vine.string().regex(/^[0-9a-f]{64}$/),
  // The device's clock, to the second, as the hash took it
  completed_at: vine.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
  cart_discount_type: vine.enum(['percent', 'amount']).nullable(),
  cart_discount_value: sum(),
  items: vine
    .array(
      vine.object({
        product_id: id(),
        // Shown to the cashier offline only: a recorded line takes the product's own name and SKU
        name: vine.string().maxLength(200),
        sku: vine.string().maxLength(64),
        quantity: quantity(),
        list_price: price(),
        unit_price: price(),
        tax_class: vine.string().maxLength(40),
        tax_rate_ppm: integer().min(0).max(1_000_000),
        discount_type: vine.enum(['percent', 'amount']).nullable(),
        discount_value: sum(),
      })
    )
    .minLength(1)
    .maxLength(500),
  payments: vine
    .array(
      vine.object({
        method: vine.enum(['cash', 'card_external']),
        amount: sum(),
        tendered: sum().nullable(),
        // Any text: one with control characters or over 120 characters is recorded cleaned and
        // reviewed, not refused with its batch (offline_sale_check.ts, cleanReference)
        reference: vine.string().trim().nullable(),
      })
    )
    .minLength(1)
    .maxLength(10),
  subtotal: sum(),
  discount_total: sum(),
  tax_total: sum(),
  total: sum(),
  rounding: integer().min(-1000).max(1000),
}

const offlineSale = vine.object(offlineSaleFields)

/**
 * A till stopped by a conflict hands over the sales it holds for the register (the conflicting one
 * first), in slices of up to 100, the last one saying so: kept whole for review, never recorded
 */
export const handOverValidator = vine.create({
  device_id: uuid(),
  register_id: id(),
  conflict_uuid: uuid(),
  /** How many sales the till holds for the register in all (the lease's `pending` while it waits) */
  pending: integer().min(0).max(1_000_000),
  sales: vine.array(offlineSale).minLength(1).maxLength(100),
  last: vine.boolean(),
})

/** Most sales a till sends in one request: its queue goes in batches of one register's sales, oldest first */
export const MAX_SYNC_BATCH = 50

/** A batch of one register's offline sales, oldest first */
export const offlineSalesValidator = vine.create({
  sales: vine.array(offlineSale).minLength(1).maxLength(MAX_SYNC_BATCH),
})

/** A till asking to hold its register for offline selling, and saying what it has not synced yet */
export const leaseValidator = vine.create({
  device_id: uuid(),
  register_id: id(),
  pending: integer().min(0).max(1_000_000),
})

export const catalogValidator = vine.create({
  // Seconds since 1970 (the version a till last read); at most the end of year 9999, as a date column holds
  since: textNumber().withoutDecimals().min(0).max(253_402_300_799).optional(),
})
