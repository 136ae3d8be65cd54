import vine from '@vinejs/vine'
import { MAX_QUANTITY } from '#core/money'
import { noteText, textId, textNumber, typedAmount } from '#validators/fields'

// The till's search is its scan field typed into (its name is code), before Enter
export const searchValidator = vine.create({ code: vine.string().trim().maxLength(100).optional() })
// A manager's PIN, for a change that takes the discounts past the store's limit (sales/discount_limit.ts)
const managerPin = () => vine.string().trim().regex(/^\d{4,6}$/).nullable().optional()
export const scanValidator = vine.create({ code: vine.string().trim().minLength(1).maxLength(64), pin: managerPin() })
export const addItemValidator = vine.create({
  product_id: textId(),
  quantity: textNumber().withoutDecimals().min(1).max(MAX_QUANTITY).optional(),
  pin: managerPin(),
})
export const quantityValidator = vine.create({ quantity: textNumber().withoutDecimals().min(0).max(MAX_QUANTITY), pin: managerPin() })
export const removeValidator = vine.create({ pin: managerPin() })
export const discountValidator = vine.create({
  discount_type: vine.enum(['percent', 'amount', 'none']),
  // An amount or a percent as typed ("0,50", "12,5"): the controller reads it by parseMoney's rule
  discount_value: typedAmount().nullable().optional(),
  pin: managerPin(),
})
export const priceOverrideValidator = vine.create({
  price: typedAmount(),
  pin: vine.string().trim().regex(/^\d{4,6}$/).nullable().optional(),
})
export const parkValidator = vine.create({ note: noteText(255).nullable().optional() })
export const registerChoiceValidator = vine.create({ register_id: textId() })
export const switchUserValidator = vine.create({
  user_id: textId(),
  pin: vine.string().trim().regex(/^\d{4,6}$/),
})
