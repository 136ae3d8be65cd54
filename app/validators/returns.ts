import vine from '@vinejs/vine'
import { paymentMethods } from '#sales/payment_methods'
import { amount, id, quantity } from '#validators/fields'

const knownMethods = () => paymentMethods().map((m) => m.id)

const returnLine = vine.object({
  sale_item_id: id(),
  quantity: quantity(),
  // true (the default): back to stock; false: to the damaged bin
  restock: vine.boolean().optional(),
})

export const createRefundValidator = vine.create({
  items: vine.array(returnLine).minLength(1).maxLength(500),
  method: vine.enum(knownMethods).optional(),
  // The reason is checked by the service so the till and the API say the same thing
  reason: vine.string().trim().maxLength(255).optional(),
  manager_pin: vine.string().trim().maxLength(6).optional(),
  register_id: id().optional(),
})

export const voidSaleValidator = vine.create({
  reason: vine.string().trim().maxLength(255).optional(),
})

export const createExchangeValidator = vine.create({
  return_items: vine.array(returnLine).minLength(1).maxLength(500),
  items: vine
    .array(
      vine.object({
        product_id: id(),
        quantity: quantity(),
      })
    )
    .minLength(1)
    .maxLength(500),
  payment_method: vine.enum(knownMethods).optional(),
  tendered: amount().optional(),
  // Where a credit left over goes (the original tender by default; another needs a manager)
  method: vine.enum(knownMethods).optional(),
  reason: vine.string().trim().maxLength(255).optional(),
  manager_pin: vine.string().trim().maxLength(6).optional(),
  register_id: id().optional(),
})

export const noReceiptRefundValidator = vine.create({
  items: vine
    .array(
      vine.object({
        product_id: id(),
        quantity: quantity(),
        restock: vine.boolean().optional(),
      })
    )
    .minLength(1)
    .maxLength(100),
  method: vine.enum(knownMethods).optional(),
  reason: vine.string().trim().maxLength(255).optional(),
  manager_pin: vine.string().trim().maxLength(6).optional(),
  register_id: id().optional(),
})
