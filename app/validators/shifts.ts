import vine from '@vinejs/vine'
import { MAX_SALE_TOTAL, MAX_UNIT_PRICE } from '#core/money'
import { freeText, id, integer, textId } from '#validators/fields'

// Counts are checked note by note by the shift service (denominations.ts), which names the field
const counts = () => vine.record(vine.any().nullable()).optional()

export const openShiftApiValidator = vine.create({
  register_id: id().optional(),
  float: integer().min(0).max(MAX_UNIT_PRICE).optional(),
  float_counts: counts(),
})

export const closeShiftApiValidator = vine.create({
  counts: counts(),
  amount: integer().min(0).max(MAX_SALE_TOTAL).optional(),
})

export const cashMovementApiValidator = vine.create({
  kind: vine.enum(['cash_in', 'cash_out', 'no_sale']),
  // The sign and the cash in the drawer are the shift service's to check (it names them)
  amount: integer().min(-MAX_SALE_TOTAL).max(MAX_SALE_TOTAL).optional(),
  reason: freeText(255).nullable().optional(),
})

export const currentShiftValidator = vine.create({
  register_id: textId().optional(),
})

// The till's forms send decimals ("12.50"), turned into minor units with the store's currency
const decimal = () => vine.string().trim().maxLength(16).nullable().optional()

export const openShiftFormValidator = vine.create({
  float: decimal(),
  float_counts: counts(),
})

// The shift the page was drawn for: a form sent again after that shift closed must not act on the next one
const shownShift = () => textId().optional()

export const closeShiftFormValidator = vine.create({
  shift_id: shownShift(),
  counts: counts(),
  amount: decimal(),
})

export const cashMovementFormValidator = vine.create({
  shift_id: shownShift(),
  kind: vine.enum(['cash_in', 'cash_out', 'no_sale']),
  amount: decimal(),
  reason: freeText(255).nullable().optional(),
})
