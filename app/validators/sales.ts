import vine from '@vinejs/vine'
import { paymentMethods } from '#sales/payment_methods'
import { amount, freeText, id, paymentAmount, price, quantity, textNumber, textPage, typedAmount } from '#validators/fields'

/** The tenders known now (plugins may add some), so an unknown one is a 422 on the field that named it */
const knownMethods = () => paymentMethods().map((m) => m.id)

export const createSaleValidator = vine.create({
  items: vine
    .array(
      vine.object({
        product_id: id(),
        quantity: quantity(),
        // an amount off the line, in minor units (at most the line: pricing.ts checks)
        discount: price().optional(),
        // or a percentage off the line (0-100, two decimals at most)
        discount_percent: vine.number({ strict: true }).decimal([0, 2]).min(0).max(100).optional(),
      })
    )
    .minLength(1)
    .maxLength(500),
  // tendered and reference are the payment's: without a method they were dropped and the sale left open, unpaid
  payment_method: vine.enum(knownMethods).optional().requiredIfAnyExists(['tendered', 'reference']),
  tendered: amount().optional(),
  reference: freeText(120).optional(),
  customer_id: id().nullable().optional(),
  register_id: id().optional(),
})

export const createPaymentValidator = vine.create({
  sale_id: id(),
  method: vine.enum(knownMethods),
  amount: paymentAmount(),
  tendered: amount().optional(),
  reference: freeText(120).optional(),
})

export const saleListValidator = vine.create({
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  to: vine.date({ formats: ['YYYY-MM-DD'] }).afterOrSameAs('from').optional(),
  status: vine.enum(['open', 'parked', 'completed', 'voided']).optional(),
  page: textPage().optional(),
  per_page: textNumber().withoutDecimals().min(1).max(100).optional(),
})

/** Till forms: amounts as typed ("20,00", "12.50"), read by parseMoney in the store's currency */
export const tillPaymentValidator = vine.create({
  method: vine.string().trim().maxLength(32),
  amount: typedAmount().nullable().optional(),
  tendered: typedAmount().nullable().optional(),
  reference: freeText(120).nullable().optional(),
})
