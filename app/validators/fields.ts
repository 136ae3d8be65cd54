import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import { MAX_ID, MAX_QUANTITY, MAX_SALE_TOTAL, MAX_UNIT_PRICE, TYPED_AMOUNT } from '#core/money'
import { withoutInvisible } from '#core/visible_text'
import { isCurrency, isTimeZone } from '#core/intl_codes'

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

/*
| A number typed in a form or a query string is plain decimal digits, with a leading minus and a
| decimal point at most (the minimums refuse a sign where none belongs). Number() and vine.number()
| read "1e1" as 10, "0x3" as 3 and a list ["2"] as 2: a till quantity of "1e1" became 10 while a
| product's price of "1e3" was refused. One rule for every form: this one.
*/
export const TYPED_NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/

/** A form's or query string's number as typed, or NaN (a JSON number is taken as it is) */
export function typedNumber(value: unknown): number {
  if (typeof value === 'number') return value
  return typeof value === 'string' && TYPED_NUMBER.test(value.trim()) ? Number(value.trim()) : Number.NaN
}

/** vine.number() for a form or a query string: only a typedNumber, else "must be a number" on the field */
export const textNumber = () => vine.number().parse((value) => (value === undefined || value === null ? value : typedNumber(value)))

/**
 * An amount of money typed in a form, as its shape: digits with decimal points or commas ("12.50",
 * "12,50", "1.234,50"), so a typo is refused with the form's other fields. parseMoney reads it in
 * the store's currency after (a comma is a decimal or a grouping one by the currency's digits).
 */
export const typedAmount = () => vine.string().trim().maxLength(32).regex(TYPED_AMOUNT)

/**
 * What the till says of a typed amount it cannot take, by field: the same words for a shape
 * typedAmount refuses ("12x", start/validator.ts) and for one parseMoney reads no way ("1,2,3").
 * The shape takes no sign: "-5" is refused too, so the words say so (a payment of 0 is refused later)
 */
export const TYPED_AMOUNT_WORDS = {
  price: 'Enter the price as a number of 0 or more, such as 12.50',
  discount_value: 'Enter the discount as a number of 0 or more, such as 10 or 0.50',
  amount: 'Enter the amount as a number above 0, such as 12.50',
  tendered: 'Enter the amount tendered as a number above 0, such as 12.50',
} as const

/** A row id typed in a form or a query string */
export const textId = () => textNumber().withoutDecimals().min(1).max(MAX_ID)

/** A page number from a query string */
export const textPage = () => textNumber().withoutDecimals().min(1).max(100_000)

/** A list's page from a query string: a typedNumber of 1 or more, else the first page */
export function pageNumber(value: unknown): number {
  const page = typedNumber(value)
  return Number.isSafeInteger(page) && page >= 1 ? page : 1
}

/**
 * A list's filter by id from a query string (a register, a user): undefined when absent or empty
 * (everything), NaN when it is not an id, so the page says so at the field instead of listing all
 */
export function filterId(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const id = typedNumber(value)
  return Number.isInteger(id) && id >= 1 && id <= MAX_ID ? id : Number.NaN
}

/*
| Text people type. None holds a control character (a NUL byte was stored as sent and passed a
| "reason required" check), a line or paragraph separator, or a bidirectional override or isolate,
| which makes a text read differently on a receipt or in a CSV than it is ("\u202Egnp.exe" shows
| as "exe.png"). A name, a SKU, a reference or a reason is one line: a line break in a product's
| name printed a line of its own on the paper receipt ("Milk\nTOTAL 0.00"). Only a note or an
| address keeps its lines, as LF (a browser's textarea sends CR LF). A name loses the invisible
| format characters it does not show (zero-width space, soft hyphen, BOM: "Tea" + U+200B was a
| second category reading "Tea"); a SKU refuses them, as it must be what a scanner sends
| (app/core/visible_text.ts says which and why).
*/

/** One line: no control character at all (C0, DEL, C1), no separator, no override */
export const SINGLE_LINE_TEXT = /^[^\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/

/** Lines: the same, but for the line feed */
export const MULTI_LINE_TEXT = /^[^\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/

/**
 * A SKU: one word, no white space nor control character (it took a NUL: only spaces were refused),
 * nor any format character (Cf: zero-width space, soft hyphen, BOM, the overrides): "ZW-1" + U+200B
 * read "ZW-1" beside it, and no scanner sends it
 */
export const SKU_TEXT = /^[^\s\p{Cc}\p{Cf}]+$/u

/** What a refused SKU is told (start/validator.ts, the products CSV) */
export const SKU_TEXT_MESSAGE = 'A SKU has no spaces, control characters or invisible characters (a zero-width space, a soft hyphen): type it as the scanner reads it'

/** A name without the invisible characters it does not show, before it is trimmed and checked */
const visibleName = vine.createRule((value, _, field) => {
  if (!field.isValid || typeof value !== 'string') return
  field.mutate(withoutInvisible(value), field)
})

/** CR LF and a lone CR become LF, before the text is checked and kept */
const unixNewlines = vine.createRule((value, _, field) => {
  if (!field.isValid || typeof value !== 'string') return
  field.mutate(value.replace(/\r\n?/g, '\n'), field)
})

/** A name people read (a product, a customer, a category, a person, a store, a register, a device) */
export const nameText = (maxLength: number) => vine.string().use(visibleName()).trim().minLength(1).maxLength(maxLength).regex(SINGLE_LINE_TEXT)

/** A free text printed or shown beside money (a reason, a reference, a supplier, a receipt footer): may be empty */
export const freeText = (maxLength: number) => vine.string().trim().maxLength(maxLength).regex(SINGLE_LINE_TEXT)

/** A note (a stock document's, a customer's, a parked sale's) or an address: may be empty, keeps its lines */
export const noteText = (maxLength: number) => vine.string().use(unixNewlines()).trim().maxLength(maxLength).regex(MULTI_LINE_TEXT)

/*
| A store's time zone and currency, checked here against what Intl knows, so an unknown one is
| refused with the form's other fields: the store services checked them only after the validator
| had passed, and the setup page said "Unknown time zone" only once every other field was right.
| The services keep their own check, for a call from elsewhere.
*/
const knownTimeZone = vine.createRule((value, _, field) => {
  if (field.isValid && typeof value === 'string' && !isTimeZone(value)) field.report('Unknown time zone', 'timeZone', field)
})
const knownCurrency = vine.createRule((value, _, field) => {
  if (field.isValid && typeof value === 'string' && !isCurrency(value)) field.report('Unknown currency', 'currencyCode', field)
})

/** An IANA time zone name ("Europe/Paris") */
export const timeZoneName = () => vine.string().trim().minLength(1).maxLength(64).use(knownTimeZone())

/** An ISO 4217 currency code, in any case ("eur" is EUR) */
export const currencyCode = () => vine.string().trim().toUpperCase().regex(/^[A-Z]{3}$/).use(knownCurrency())

/*
| A moment in ISO 8601 (GET /api/products?updated_since=): a day and a time, to the minute at
| least, with its offset or in UTC ("Z", or none). In a query string a "+" not sent as %2B is read
| as a space (as a form sends one), so "10:00:00 01:00" is taken as "+01:00" rather than refused.
| A day alone is refused: the start of which day, in which zone, is the client's to say.
| Passed on as the same moment in UTC, "2026-12-01T08:30:00.000Z".
*/
const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i
const isoMoment = vine.createRule((value, _, field) => {
  if (!field.isValid || typeof value !== 'string') return
  const text = value.replace(/ (\d{2}(:?\d{2})?)$/, '+$1')
  const at = ISO_MOMENT.test(text) ? DateTime.fromISO(text, { zone: 'utc' }) : null
  // Years of four digits, as a DATETIME column holds them (and as the text compares)
  if (!at?.isValid || at.year < 1000 || at.year > 9999) return field.report('Not an ISO 8601 time', 'timestamp', field)
  field.mutate(at.toISO(), field)
})

export const isoTimestamp = () => vine.string().trim().maxLength(40).use(isoMoment())
