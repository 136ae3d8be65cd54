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
| The body is parsed before the session and Shield's CSRF check (Shield reads the _csrf field from
| it), at about 20 us a field: high limits for every form let anyone take a fifth of a second of
| the server with one request to the login form. So only the count sheet's save takes a whole
| store's sheet, and only from someone signed in who may count stock (the route's own ability,
| read from the session before parsing: app/middleware/body_parser_middleware.ts). Every other
| form, and a sheet posted by anyone else, keeps the small limits (then gets its usual answer:
| the sign-in page, or a 403).
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
/** The routes (their patterns, posted to) whose form is a count sheet, and the ability their `can` asks */
const SHEET_ROUTES = new Map([['/backoffice/stock/stocktakes/:id', 'manageStock']] as const)

/**
 * A post of a count sheet, by its route (the body parser runs once the route is matched): the
 * ability its sender needs for the sheet's limits, or null for any other request
 */
export function sheetFormAbility(ctx: HttpContext) {
  if (ctx.request.method() !== 'POST') return null
  return SHEET_ROUTES.get(ctx.route?.pattern as any) ?? null
}

/**
 * Refuses a form body of more fields than the parser read (it would drop the rest unsaid): a
 * sheet's limit when it was parsed with the sheet's limits
 */
export function refuseTooManyFields(ctx: HttpContext, sheet: boolean) {
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
