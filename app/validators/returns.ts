import vine from '@vinejs/vine'
import { paymentMethods } from '#sales/payment_methods'
import { amount, freeText, id, quantity, textNumber, textPage, typedNumber } from '#validators/fields'
import { RECEIPT_FILTERS } from '#returns/refund_list_service'
import { DomainError } from '#exceptions/domain_error'

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
  reason: freeText(255).optional(),
  manager_pin: vine.string().trim().maxLength(6).optional(),
  register_id: id().optional(),
})

export const voidSaleValidator = vine.create({
  reason: freeText(255).optional(),
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
  // tendered is the payment's: without a method it was dropped
  payment_method: vine.enum(knownMethods).optional().requiredIfExists('tendered'),
  tendered: amount().optional(),
  // Where a credit left over goes (the original tender by default; another needs a manager)
  method: vine.enum(knownMethods).optional(),
  reason: freeText(255).optional(),
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
  reason: freeText(255).optional(),
  manager_pin: vine.string().trim().maxLength(6).optional(),
  register_id: id().optional(),
})

/*
| The till's return and exchange forms are read by hand (their rows come with empty ones the
| cashier left blank); a row that is not an object (an empty field the body parser made null, a
| text) is one left blank, not a 500.
*/

/** A form's text field: trimmed, at most 255 characters, null when empty or not a text */
export function formText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 255) : null
}

/** The rows of a form's list field (items[0][...], items[1][...]) in order; null for one that is not an object */
export function formRows(list: unknown): (Record<string, unknown> | null)[] {
  const rows = list !== null && typeof list === 'object' ? Object.values(list) : []
  return rows.map((row) => (row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : null))
}

/** A quantity typed on a till's form (typedNumber); left empty or not sent, `empty` */
export function formQuantity(value: unknown, empty: number): number {
  return value === undefined || value === null || value === '' ? empty : typedNumber(value)
}

/**
 * Where a returned unit goes, as the form's select offers it: "stock" or "damaged"; not sent, back
 * to stock (the API's default). Anything else is refused at its field: "nowhere" was read as
 * back to stock, as was every value but "damaged"
 */
export function formRestock(value: unknown, field: string): boolean {
  if (value === undefined || value === 'stock') return true
  if (value === 'damaged') return false
  throw new DomainError('Choose where it goes: back to stock or the damaged bin', { code: 'invalid_field', field })
}

/** The lines of a till's return form that send something back (items.N: N the form's row) */
export function formReturnLines(list: unknown) {
  return formRows(list).flatMap((line, index) => {
    if (line === null) return []
    const restock = formRestock(line.restock, `items.${index}.restock`)
    const quantity = formQuantity(line.quantity, 0)
    return quantity === 0 ? [] : [{ saleItemId: typedNumber(line.sale_item_id), quantity, restock }]
  })
}

/** GET /api/refunds: the store's days (both optional), with or without a receipt, a page */
export const refundListValidator = vine.create({
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  to: vine.date({ formats: ['YYYY-MM-DD'] }).afterOrSameAs('from').optional(),
  receipt: vine.enum(RECEIPT_FILTERS).optional(),
  page: textPage().optional(),
  per_page: textNumber().withoutDecimals().min(1).max(100).optional(),
})
