import vine from '@vinejs/vine'
import { nameText, noteText, textId, textNumber, textPage } from '#validators/fields'

/** 6 to 20 digits, an optional leading +, and the usual separators between them */
const PHONE = /^\+?(?:[\s().-]*\d){6,20}[\s().-]*$/

/** A phone is kept as + and digits only, so a search by its first digits finds it however it was typed */
export function normalizePhone(value: string): string {
  if (typeof value !== 'string') return value
  const digits = value.replace(/\D/g, '')
  return value.trim().startsWith('+') ? `+${digits}` : digits
}

const customerFields = {
  name: nameText(120),
  email: vine.string().trim().toLowerCase().email().maxLength(254).nullable().optional(),
  phone: vine.string().trim().regex(PHONE).transform(normalizePhone).nullable().optional(),
  notes: noteText(2000).nullable().optional(),
}

/** A new customer (the back-office form, the till's quick-create and POST /api/customers) */
export const customerValidator = vine.create(customerFields)

/**
 * A field a PUT may leave out but not blank: the body parser turns "" into null, and an optional
 * field takes null as "not sent".
 */
const sentAsNull = (field: { name: string | number; parent: any }) =>
  field.parent !== null && typeof field.parent === 'object' && Object.hasOwn(field.parent, field.name) && field.parent[field.name] === null

/** PUT /api/customers/{id}: what is sent changes; email, phone and notes may be cleared with null */
export const updateCustomerValidator = vine.create({
  name: customerFields.name.clone().optional().requiredWhen(sentAsNull),
  email: customerFields.email.clone(),
  phone: customerFields.phone.clone(),
  notes: customerFields.notes.clone(),
})

export const customerListValidator = vine.create({
  search: vine.string().trim().maxLength(100).optional(),
  page: textPage().optional(),
  per_page: textNumber().withoutDecimals().min(1).max(100).optional(),
})

export const historyPageValidator = vine.create({
  page: textPage().optional(),
})

/** The till's customer search as you type */
export const tillCustomerSearchValidator = vine.create({
  q: vine.string().trim().maxLength(100).optional(),
})

export const attachCustomerValidator = vine.create({
  customer_id: textId(),
})

/** Export and erasure are asked for twice: the box ticked on the page, then the browser's confirm */
export const privacyActionValidator = vine.create({
  confirm: vine.accepted(),
  format: vine.enum(['json', 'csv']).optional(),
})
