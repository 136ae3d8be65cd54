import vine from '@vinejs/vine'

const MAX_AMOUNT = 100_000_000
const uuid = () => vine.string().trim().uuid()
const amount = () => vine.number().withoutDecimals().min(0).max(MAX_AMOUNT)

/** A sale the till made while the server was out of reach, as its device recorded it */
export const offlineSaleValidator = vine.create({
  client_uuid: uuid(),
  device_id: uuid(),
  register_id: vine.number().withoutDecimals().positive(),
  user_id: vine.number().withoutDecimals().positive(),
  number: vine.number().withoutDecimals().positive(),
  previous_hash: vine.string().regex(/^[0-9a-f]{64}$/).nullable(),
  hash: vine.string().regex(/^[0-9a-f]{64}$/),
  // The device's clock, to the second, as the hash took it
  completed_at: vine.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
  cart_discount_type: vine.enum(['percent', 'amount']).nullable(),
  cart_discount_value: amount(),
  items: vine
    .array(
      vine.object({
        product_id: vine.number().withoutDecimals().positive(),
        name: vine.string().maxLength(200),
        sku: vine.string().maxLength(64),
        quantity: vine.number().withoutDecimals().min(1).max(9999),
        list_price: amount(),
        unit_price: amount(),
        tax_class: vine.string().maxLength(40),
        tax_rate_ppm: vine.number().withoutDecimals().min(0).max(1_000_000),
        discount_type: vine.enum(['percent', 'amount']).nullable(),
        discount_value: amount(),
      })
    )
    .minLength(1)
    .maxLength(500),
  payments: vine
    .array(
      vine.object({
        method: vine.enum(['cash', 'card_external']),
        amount: amount(),
        tendered: amount().nullable(),
        reference: vine.string().trim().maxLength(120).nullable(),
      })
    )
    .minLength(1)
    .maxLength(10),
  subtotal: amount(),
  discount_total: amount(),
  tax_total: amount(),
  total: amount(),
  rounding: vine.number().withoutDecimals().min(-1000).max(1000),
})

/** A till asking to hold its register for offline selling, and saying what it has not synced yet */
export const leaseValidator = vine.create({
  device_id: uuid(),
  register_id: vine.number().withoutDecimals().positive(),
  pending: vine.number().withoutDecimals().min(0).max(1_000_000),
})

export const catalogValidator = vine.create({
  since: vine.number().withoutDecimals().min(0).optional(),
})
