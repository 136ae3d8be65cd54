import vine from '@vinejs/vine'
import { MAX_UNIT_PRICE } from '#core/money'
import { freeText, id, integer, noteText, textNumber, textPage } from '#validators/fields'

/*
| The stock API's bodies. Types here; the business limits (positive, at most 1,000,000, not an
| archived product...) live in StockService so the back-office forms and the API agree.
*/

// Signed (an adjustment may take away); StockService checks the sign and the believable range
// per document and names it (absurd_quantity): this only keeps numbers JSON numbers of sane size
const quantity = integer().min(-1_000_000_000).max(1_000_000_000)

export const receiptValidator = vine.create({
  supplier: freeText(200),
  reference: freeText(80).nullable().optional(),
  note: noteText(255).nullable().optional(),
  items: vine
    .array(vine.object({ product_id: id(), quantity, unit_cost: integer().min(-1_000_000_000).max(MAX_UNIT_PRICE) }))
    .minLength(1)
    .maxLength(500),
})

export const adjustmentValidator = vine.create({
  reason: vine.string().trim().maxLength(20),
  note: noteText(255).nullable().optional(),
  items: vine.array(vine.object({ product_id: id(), quantity })).minLength(1).maxLength(500),
})

export const transferValidator = vine.create({
  to_store_id: id(),
  note: noteText(255).nullable().optional(),
  items: vine.array(vine.object({ product_id: id(), quantity })).minLength(1).maxLength(500),
})

export const receiveTransferValidator = vine.create({
  items: vine.array(vine.object({ line_id: id(), quantity_received: quantity })).maxLength(500).optional(),
})

export const movementsValidator = vine.create({
  page: textPage().optional(),
  per_page: textNumber().withoutDecimals().min(1).max(200).optional(),
})
