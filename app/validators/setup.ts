import vine from '@vinejs/vine'
import { nameText, noteText, timeZoneName, currencyCode } from '#validators/fields'

export const setupValidator = vine.create({
  store_name: nameText(120),
  address: noteText(500).nullable().optional(),
  currency: currencyCode(),
  time_zone: timeZoneName(),
  tax_rate: vine.string().trim().regex(/^\d{1,2}(\.\d{1,4})?$/).nullable().optional(),
  prices_include_tax: vine.accepted().optional(),
  name: nameText(120),
  email: vine.string().trim().email().maxLength(254),
  password: vine.string().minLength(10).maxLength(200),
})
