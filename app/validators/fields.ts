import vine from '@vinejs/vine'
import { MAX_ID, MAX_QUANTITY, MAX_SALE_TOTAL, MAX_UNIT_PRICE } from '#core/money'

/*
| Numbers shared by the validators. vine.number() casts what it is given with Number(), so in a
| JSON body `true` would be 1, "12" 12 and "" 0: JSON bodies use { strict: true } (a number or
| a 422). Forms and query strings send text, so theirs cast (`text...`).
| Limits: money.ts.
*/

/** A whole number in a JSON body */
export const integer = () => vine.number({ strict: true }).withoutDecimals()

/** A row id in a JSON body: 1 to MAX_ID (a 300-digit id is a 422, not a query) */
export const id = () => integer().min(1).max(MAX_ID)

/** Units on a line: 1 to MAX_QUANTITY */
export const quantity = () => integer().min(1).max(MAX_QUANTITY)

/** A price or a typed amount in minor units: 0 to MAX_UNIT_PRICE */
export const price = () => integer().min(0).max(MAX_UNIT_PRICE)

/** A payment or a tendered amount in minor units: 1 to MAX_SALE_TOTAL */
export const amount = () => integer().positive().max(MAX_SALE_TOTAL)

/**
 * The amount of a payment on an open sale: 0 to MAX_SALE_TOTAL. Nothing is a payment only on a
 * sale of nothing to pay (free items, 100% off), which it completes; on any other sale the
 * payment service says the amount must be more than zero
 */
export const paymentAmount = () => integer().min(0).max(MAX_SALE_TOTAL)

/** A row id typed in a form or a query string */
export const textId = () => vine.number().withoutDecimals().min(1).max(MAX_ID)

/** A page number from a query string */
export const textPage = () => vine.number().withoutDecimals().min(1).max(100_000)

/*
| Text people type. None holds a control character (a NUL byte was stored as sent and passed a
| "reason required" check), a line or paragraph separator, or a bidirectional override or isolate,
| which makes a text read differently on a receipt or in a CSV than it is ("\u202Egnp.exe" shows
| as "exe.png"). A name, a SKU, a reference or a reason is one line: a line break in a product's
| name printed a line of its own on the paper receipt ("Milk\nTOTAL 0.00"). Only a note or an
| address keeps its lines, as LF (a browser's textarea sends CR LF).
*/

/** One line: no control character at all (C0, DEL, C1), no separator, no override */
export const SINGLE_LINE_TEXT = /^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/

/** Lines: the same, but for the line feed */
export const MULTI_LINE_TEXT = /^[^\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/

/** A SKU: one word, no white space nor control character (it took a NUL: only spaces were refused) */
export const SKU_TEXT = /^[^\s\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]+$/

/** CR LF and a lone CR become LF, before the text is checked and kept */
const unixNewlines = vine.createRule((value, _, field) => {
  if (!field.isValid || typeof value !== 'string') return
  field.mutate(value.replace(/\r\n?/g, '\n'), field)
})

/** A name people read (a product, a customer, a category, a person, a store, a register, a device) */
export const nameText = (maxLength: number) => vine.string().trim().minLength(1).maxLength(maxLength).regex(SINGLE_LINE_TEXT)

/** A free text printed or shown beside money (a reason, a reference, a supplier, a receipt footer): may be empty */
export const freeText = (maxLength: number) => vine.string().trim().maxLength(maxLength).regex(SINGLE_LINE_TEXT)

/** A note (a stock document's, a customer's, a parked sale's) or an address: may be empty, keeps its lines */
export const noteText = (maxLength: number) => vine.string().use(unixNewlines()).trim().maxLength(maxLength).regex(MULTI_LINE_TEXT)
