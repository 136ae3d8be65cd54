import type { HttpContext } from '@adonisjs/core/http'
import { DomainError } from '#exceptions/domain_error'

/*
| A form (application/x-www-form-urlencoded) sending more fields than the body parser reads (its
| parameterLimit) is refused whole. The parser (qs) keeps the first fields and silently drops the
| rest: a stocktake sheet of 600 lines lost the counts of its last hundred lines, and the Approve
| button's approve=1 (the last field), so approving saved the cut-down sheet and approved nothing.
| Past the limit nothing of the form is used and the page says why (a 413, errors/status). Checked
| by the body parser's own middleware (app/middleware/body_parser_middleware.ts), which picks these
| limits by the route.
|
| The body is parsed before anyone is known (the session and Shield's CSRF check read it after), at
| about 20 us a field: high limits for every form let anyone take a fifth of a second of the server
| with one request to the login form. So only the count sheet's save takes a whole store's sheet;
| every other form keeps the parser's default number of fields and a small body.
*/

/**
 * Fields any other form may send: the biggest is a till return (or exchange) of a sale's every line,
 * three fields a line, and a sale may have 500 lines (validators/returns.ts); at the parser's default
 * of 1,000 a return of a sale over about 330 lines was a 413. About 40 ms of parsing at most.
 */
export const FORM_FIELD_LIMIT = 2_000
/** Any other form's body (the longest text a form takes is 1,000 characters) */
export const FORM_BODY_LIMIT = '128kb'
/** Fields a stocktake sheet may send: one a line and one more a line typed */
export const SHEET_FORM_FIELD_LIMIT = 10_000
/** A sheet's body (5,000 lines all typed are about 300 KB) */
export const SHEET_FORM_BODY_LIMIT = '512kb'
/** The most lines a stocktake sheet may have: all typed, it still fits the form (and a few fields more) */
export const SHEET_LINE_LIMIT = Math.floor((SHEET_FORM_FIELD_LIMIT - 20) / 2)
/** The routes (their patterns, posted to) whose form is a count sheet */
const SHEET_ROUTES = new Set(['/backoffice/stock/stocktakes/:id'])

/** A post of a count sheet, by its route (the body parser runs once the route is matched) */
export function isSheetForm(ctx: HttpContext) {
  return ctx.request.method() === 'POST' && SHEET_ROUTES.has(ctx.route?.pattern ?? '')
}

/** Refuses a form body of more fields than the parser reads for its route (it would drop the rest unsaid) */
export function refuseTooManyFields(ctx: HttpContext) {
  const sheet = isSheetForm(ctx)
  const limit = sheet ? SHEET_FORM_FIELD_LIMIT : FORM_FIELD_LIMIT
  if (fieldsOf(ctx.request.raw() ?? '') > limit) {
    const advice = sheet ? ' Split it up (a stocktake of one category at a time).' : ''
    throw new DomainError(`This form sent more than ${limit.toLocaleString('en-US')} fields, more than the server reads at once: nothing of it was saved.${advice}`, { status: 413, code: 'too_many_fields' })
  }
}

/** The fields of a urlencoded body as the parser splits them (on &, empty ones included) */
function fieldsOf(body: string) {
  let count = body.length ? 1 : 0
  for (let i = body.indexOf('&'); i !== -1; i = body.indexOf('&', i + 1)) count++
  return count
}
