import { currencyDigits, formatMoney, MAX_UNIT_PRICE, parseMoney } from '#core/money'

/*
| A product's price or cost typed as a decimal (the back office's product form, a CSV import), read
| in the store's currency by parseMoney, as every typed amount is ("12.50", "12,50", "1.234,50"). One past what a price may be is said as that limit, in money: the form's
| rule took at most 7 digits before the point and answered 12345678 with "Enter the price as a
| number of 0 or more", which it is.
*/

/** "The price can be at most $1,000,000.00" */
export function priceTooHigh(field: 'price' | 'cost', currency: string): string {
  return `The ${field} can be at most ${formatMoney(MAX_UNIT_PRICE, currency)}`
}

/** The amount in minor units; 'too_high' past MAX_UNIT_PRICE; null when the text is no amount in this currency */
export function typedPrice(text: string, currency: string): number | 'too_high' | null {
  const minor = parseMoney(text, currency)
  if (minor !== null) return minor > MAX_UNIT_PRICE ? 'too_high' : minor
  // Too many digits to be read as a whole number of cents: its whole part alone is past the limit
  const whole = /^(\d+)([.,]\d+)?$/.exec(text.trim())?.[1]
  return whole !== undefined && Number(whole) * 10 ** currencyDigits(currency) > MAX_UNIT_PRICE ? 'too_high' : null
}
