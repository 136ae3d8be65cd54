/*
| Money is an integer count of the currency's minor unit everywhere. These are the only
| helpers that divide, round or turn money into text and back.
*/

/*
| Limits that keep every sum exact. Money columns are 64-bit (bigint), but JavaScript counts
| exactly only up to 2^53 (about 9.007e15): with at most 1e11 per sale, 90,000 sales at the
| maximum still add up exactly, so a shift, a Z report or a year's report never rounds.
*/
/** Units on one line of a sale, a return or a stock document */
export const MAX_QUANTITY = 9_999
/** A product's price and any single amount typed: 1,000,000.00 in a 2-digit currency */
export const MAX_UNIT_PRICE = 100_000_000
/** One line (quantity × unit price): 100,000,000.00 */
export const MAX_LINE_TOTAL = 10_000_000_000
/** One sale, refund or payment: 1,000,000,000.00 */
export const MAX_SALE_TOTAL = 100_000_000_000
/** Row ids: MariaDB's INT UNSIGNED (larger ones cannot exist: 404 or 422, never a query error) */
export const MAX_ID = 4_294_967_295

/** a × b ÷ d rounded half away from zero, exact even when a × b passes 2^53 */
export function mulDivRoundHalfUp(a: number, b: number, denominator: number): number {
  return divide(BigInt(a) * BigInt(b), BigInt(denominator))
}

/** numerator / denominator rounded half away from zero */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  return divide(BigInt(numerator), BigInt(denominator))
}

function divide(n: bigint, d: bigint): number {
  const negative = n < 0n !== d < 0n
  const absN = n < 0n ? -n : n
  const absD = d < 0n ? -d : d
  const q = (absN * 2n + absD) / (absD * 2n)
  return Number(negative ? -q : q)
}

/** Rounds an amount to the nearest multiple of increment (cash rounding to 0.05: increment 5) */
export function roundToIncrement(amount: number, increment: number): number {
  if (increment <= 1) return amount
  return divideRoundHalfUp(amount, increment) * increment
}

/** Splits total across weights in proportion, by largest remainder, so the parts add up exactly */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  if (sum === 0 || total === 0) return weights.map(() => 0)
  const raw = weights.map((w) => (BigInt(total) * BigInt(w)))
  const parts = raw.map((r) => Number(r / BigInt(sum)))
  let left = total - parts.reduce((a, b) => a + b, 0)
  const order = raw
    .map((r, i) => ({ i, rest: Number(r % BigInt(sum)) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i)
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k].i]++
  return parts
}

const digitsCache = new Map<string, number>()

/** How many minor-unit digits a currency has: USD 2, JPY 0, BHD 3 */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency)
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
    digitsCache.set(currency, digits)
  }
  return digits
}

const formatters = new Map<string, { format: Intl.NumberFormat; done: Map<number, string> }>()
/** Amounts kept formatted per locale and currency, at most (then they start again) */
const KEEP_FORMATTED = 10_000

/**
 * 1234 USD -> "$12.34". The texts are kept: a till formats the same prices and totals on every
 * scan, and Intl's format was over 1% of a scan's server CPU.
 */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  const cacheKey = `${locale}:${currency}`
  let formatter = formatters.get(cacheKey)
  if (!formatter) {
    formatter = { format: new Intl.NumberFormat(locale, { style: 'currency', currency }), done: new Map() }
    formatters.set(cacheKey, formatter)
  }
  // -0 shares a key with 0 but formats as "-$0.00": it is formatted every time
  if (Object.is(minor, -0)) return formatter.format.format(minor)
  let text = formatter.done.get(minor)
  if (text === undefined) {
    text = formatter.format.format(minor / 10 ** currencyDigits(currency))
    if (formatter.done.size >= KEEP_FORMATTED) formatter.done.clear()
    formatter.done.set(minor, text)
  }
  return text
}

/**
 * A typed amount as plain digits with a decimal point ("1.234,50" -> "1234.50"), or null when it
 * reads two ways or none. People type money as their locale writes it, whatever the store's
 * currency: "1,20" in a currency of 2 digits can only be 1.20 ("5,00" was once read as 500.00,
 * then refused, while the products CSV took "3,50"). A comma alone is a decimal comma when it is
 * followed by no more digits than the currency has. It groups thousands only where that is the one
 * reading: in a currency without decimals ("1,500" yen), or in two groups or more ("1,234,567").
 * One comma before three digits ("4,995", "1,234") is refused in a currency with decimals: it is
 * a thousand-fold amount or a typo of "4,95", and a till must not guess (a price override of
 * "4,995" read as 4995.00). A first group of 0 groups nothing ("0,505"). With both marks, the
 * last is the decimal one and the other groups thousands ("1,234.50", "1.234,50"). Dots alone
 * are a decimal point, as they always were ("1.234" in dollars is refused, not 1234).
 */
function plainDecimal(typed: string, digits: number): string | null {
  const comma = typed.lastIndexOf(',')
  const dot = typed.lastIndexOf('.')
  if (comma === -1) return typed
  if (dot === -1) {
    const grouped = digits === 0 ? /^[1-9]\d{0,2}(,\d{3})+$/.test(typed) : /^[1-9]\d{0,2}(,\d{3}){2,}$/.test(typed)
    const decimalComma = digits > 0 && !/^\d+,\d{3}$/.test(typed) && new RegExp(`^\\d+,\\d{1,${digits}}$`).test(typed)
    if (grouped === decimalComma) return null
    return grouped ? typed.replaceAll(',', '') : typed.replace(',', '.')
  }
  const [group, mark] = comma < dot ? [',', '\\.'] : ['\\.', ',']
  if (!new RegExp(`^[1-9]\\d{0,2}(${group}\\d{3})+${mark}\\d*$`).test(typed)) return null
  return comma < dot ? typed.replaceAll(',', '') : typed.replaceAll('.', '').replace(',', '.')
}

/**
 * The shape of an amount typed in a form, before parseMoney reads it: digits with decimal points or
 * commas, no sign nor currency ("12,50", "1.234,50"). The server's forms check it (typedAmount in
 * app/validators/fields.ts), and the till's change-due preview with it (public/js/components.js)
 */
export const TYPED_AMOUNT = /^\d[\d.,]*$/

/** "12.34", "12,34" or "1.234,50" -> minor units for the currency's digits (1234); null when the text is not one amount */
export function parseMoney(text: string | number | null | undefined, currency: string): number | null {
  return parseDecimal(text, currencyDigits(currency))
}

/**
 * A typed percentage -> basis points ("12,5" or "12.5" -> 1250; null when it is not one number):
 * a percent off has two decimals, and is read by money's rule as if it were an amount of a
 * currency of 2 digits, so "1,5" is 1.5 % wherever it is typed, the online till or the offline one
 */
export function parsePercent(text: string | number | null | undefined): number | null {
  return parseDecimal(text, 2)
}

function parseDecimal(text: string | number | null | undefined, digits: number): number | null {
  if (text === null || text === undefined) return null
  const typed = String(text).trim().replace(/[\s$€£¥]/g, '')
  const negative = typed.startsWith('-')
  const cleaned = plainDecimal(negative ? typed.slice(1) : typed, digits)
  if (cleaned === null) return null
  const pattern = digits > 0 ? new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`) : /^\d+$/
  if (!pattern.test(cleaned)) return null
  const [whole, fraction = ''] = cleaned.split('.')
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0)
  if (!Number.isSafeInteger(minor)) return null
  return negative ? -minor : minor
}

/** 1234 -> "12.34" (for form inputs, no currency sign) */
export function minorToDecimal(minor: number, currency: string): string {
  const digits = currencyDigits(currency)
  if (digits === 0) return String(minor)
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(minor)
  return `${sign}${Math.floor(abs / 10 ** digits)}.${String(abs % 10 ** digits).padStart(digits, '0')}`
}
