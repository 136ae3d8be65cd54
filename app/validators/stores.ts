import vine from '@vinejs/vine'
import { freeText, nameText, noteText, textId, textNumber, timeZoneName, currencyCode } from '#validators/fields'

/** The smallest coins a store may round cash to, in minor units */
export const CASH_ROUNDINGS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]

/** The Stores page's form; the checkboxes arrive as "on" (see the controller) */
export const storeValidator = vine.create({
  name: nameText(120),
  address: noteText(500).nullable().optional(),
  currency: currencyCode(),
  time_zone: timeZoneName(),
  // Cash is rounded to this many minor units: 1 = none, 5 = to 0.05, 10 = to 0.10. The smallest
  // coin of a currency is 1, 2, 2.5 or 5 times a power of ten (a 7 was taken, and every cash sale
  // rounded to sevens)
  cash_rounding: textNumber().withoutDecimals().in(CASH_ROUNDINGS),
  // The most a cashier may take off a sale without a manager's PIN, in percent (sales/discount_limit.ts)
  discount_limit: textNumber().decimal([0, 2]).min(0).max(100).optional(),
  allow_negative_stock: vine.accepted().optional(),
  prices_include_tax: vine.accepted().optional(),
  receipt_footer: freeText(255).nullable().optional(),
})

export const registerValidator = vine.create({
  name: nameText(80),
})

export const staffValidator = vine.create({
  user_ids: vine.array(textId()).maxLength(1000).optional(),
})
