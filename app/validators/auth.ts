import vine from '@vinejs/vine'
import { textNumber } from '#validators/fields'

export const loginValidator = vine.create({
  email: vine.string().trim().email().maxLength(254),
  password: vine.string().minLength(1).maxLength(200),
})

export const pinValidator = vine.create({
  pin: vine.string().trim().regex(/^\d{4,6}$/),
  user_id: textNumber().withoutDecimals().positive().optional(),
})
