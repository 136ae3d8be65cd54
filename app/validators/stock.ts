import vine from '@vinejs/vine'

/*
| The stock API's bodies. Types here; the business limits (positive, at most 1,000,000, not an
| archived product...) live in StockService so the back-office forms and the API agree.
*/

const quantity = vine.number().withoutDecimals()

export const receiptValidator = vine.create({
  supplier: vine.string().trim().maxLength(200),
  reference: vine.string().trim().maxLength(80).nullable().optional(),
  note: vine.string().trim().maxLength(255).nullable().optional(),
  items: vine
    .array(vine.object({ product_id: vine.number().withoutDecimals(), quantity, unit_cost: vine.number().withoutDecimals() }))
    .minLength(1),
})

export const adjustmentValidator = vine.create({
  reason: vine.string().trim().maxLength(20),
  note: vine.string().trim().maxLength(255).nullable().optional(),
  items: vine.array(vine.object({ product_id: vine.number().withoutDecimals(), quantity })).minLength(1),
})

export const transferValidator = vine.create({
  to_store_id: vine.number().withoutDecimals(),
  note: vine.string().trim().maxLength(255).nullable().optional(),
  items: vine.array(vine.object({ product_id: vine.number().withoutDecimals(), quantity })).minLength(1),
})

export const receiveTransferValidator = vine.create({
  items: vine.array(vine.object({ line_id: vine.number().withoutDecimals(), quantity_received: quantity })).optional(),
})

export const movementsValidator = vine.create({
  page: vine.number().withoutDecimals().min(1).max(100_000).optional(),
  per_page: vine.number().withoutDecimals().min(1).max(200).optional(),
})
