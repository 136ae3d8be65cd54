import vine from '@vinejs/vine'
import { paymentMethods } from '#services/payment_methods'

const knownMethods = () => paymentMethods().map((m) => m.id)

const returnLine = vine.object({
  sale_item_id: vine.number().withoutDecimals().positive(),
  quantity: vine.number().withoutDecimals().min(1).max(9999),
  // true (the default): back to stock; false: to the damaged bin
  restock: vine.boolean().optional(),
})

export const createRefundValidator = vine.create({
  items: vine.array(returnLine).minLength(1).maxLength(500),
  method: vine.enum(knownMethods).optional(),
  // The reason is checked by the service so the till and the API say the same thing
  reason: vine.string().trim().maxLength(255).optional(),
  manager_pin: vine.string().trim().maxLength(6).optional(),
  register_id: vine.number().withoutDecimals().positive().optional(),
})

export const voidSaleValidator = vine.create({
  reason: vine.string().trim().maxLength(255).optional(),
})
