import { DomainError } from '#exceptions/domain_error'

/*
| A form (application/x-www-form-urlencoded) sending more fields than the body parser reads
| (config/bodyparser.ts, its parameterLimit) is refused whole. The parser (qs) keeps the first
| fields and silently drops the rest: a stocktake sheet of 600 lines lost the counts of its last
| hundred lines, and the Approve button's approve=1 (the last field), so approving saved the
| cut-down sheet and approved nothing. The limit is high (a whole store's count sheet fits); past
| it nothing of the form is used and the page says why (a 413, errors/status). Checked by the body
| middleware that runs on every request anyway (json_body_middleware.ts): a middleware of its own
| cost every request, a sale's included, its turn through AdonisJS's container.
*/

/**
 * Fields a form may send: a stocktake sheet sends one per line and one more per line typed. The
 * limits hold for every form, signed in or not, since the body is parsed before anyone is known:
 * qs takes about 20 us a field, so 50,000 fields (tried first) let any request take a second of
 * the server's time; 10,000 take a fifth of that at most (the parser's default was 1,000)
 */
export const FORM_FIELD_LIMIT = 10_000
/** The form body's size limit (a sheet of 5,000 lines all typed is about 300 KB) */
export const FORM_BODY_LIMIT = '512kb'
/** The most lines a stocktake sheet may have: all typed, it still fits the form (and a few fields more) */
export const SHEET_LINE_LIMIT = Math.floor((FORM_FIELD_LIMIT - 20) / 2)

/** Refuses a form body of more fields than the parser reads (it would drop the rest unsaid) */
export function refuseTooManyFields(body: string) {
  if (fieldsOf(body) > FORM_FIELD_LIMIT) {
    throw new DomainError(`This form sent more than ${FORM_FIELD_LIMIT.toLocaleString('en-US')} fields, more than the server reads at once: nothing of it was saved. Split it up (a stocktake of one category at a time).`, { status: 413, code: 'too_many_fields' })
  }
}

/** The fields of a urlencoded body as the parser splits them (on &, empty ones included) */
function fieldsOf(body: string) {
  let count = body.length ? 1 : 0
  for (let i = body.indexOf('&'); i !== -1; i = body.indexOf('&', i + 1)) count++
  return count
}
