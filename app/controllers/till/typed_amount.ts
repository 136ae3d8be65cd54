import type { HttpContext } from '@adonisjs/core/http'
import { MAX_SALE_TOTAL, parseMoney } from '#core/money'
import { DomainError } from '#exceptions/domain_error'
import { TYPED_AMOUNT_WORDS } from '#validators/fields'

/**
 * An amount a till form sent (its shape checked by typedAmount) in minor units of the store's
 * currency, by parseMoney's one rule ("20,00" is 20.00 in euros); null when the field was left
 * empty. A shape that reads no way ("1,2,3", "5,5050" in euros) is refused at its field: it was
 * taken as no amount at all, and a payment of "1.234" paid the whole balance.
 */
export function tillAmount(ctx: HttpContext, text: string | null | undefined, field: keyof typeof TYPED_AMOUNT_WORDS, code = 'invalid_amount'): number | null {
  if (text === undefined || text === null || text === '') return null
  const minor = parseMoney(text, ctx.store.currency)
  if (minor === null) throw new DomainError(TYPED_AMOUNT_WORDS[field], { code, field })
  // Said here, at the till's field: past this, the payment service answered in the API's words ("whole number of cents")
  if (minor > MAX_SALE_TOTAL) throw new DomainError('This amount is larger than any sale may be: check the digits typed', { code, field })
  return minor
}
