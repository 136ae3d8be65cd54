import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import { Bouncer } from '@adonisjs/bouncer'
import * as abilities from '#abilities/main'
import { refuseTooManyFields, sheetFormAbility, SHEET_FORM_BODY_LIMIT, SHEET_FORM_FIELD_LIMIT } from '#platform/form_limits'
import { signedInUser } from '#staff/session_peek'

/*
| AdonisJS's body parser with two sets of form limits: config/bodyparser.ts's small ones, and a
| stocktake sheet's large ones (app/platform/form_limits.ts). The parser takes its limits once,
| when made, and has no setting by route: so there are two of them, chosen here (this runs as
| router middleware, once the route is matched). A form past its limit is refused whole here (the
| parser would have dropped the fields past it without a word).
|
| The large limits are for a sheet posted by someone who may count stock. The parser runs before
| the session, Shield and the auth middleware (Shield's CSRF check reads the parsed body's _csrf),
| so who asks is read here first, read only, from the session's store and the identity cache
| (app/staff/session_peek.ts): on a sheet's route only, which is also the only place it matters.
| Anyone else's post there (no session, a cashier's) is parsed with the small limits, so parsing
| costs an anonymous request no more than any other form; then it gets its usual answer (the
| sign-in page, a 403), or a 413 when it is past the small limits.
*/

let everyForm: BodyParserMiddleware | undefined
let sheet: BodyParserMiddleware | undefined

/** Whether this request is a count sheet's post by someone its route lets through */
async function sheetLimitsFor(ctx: HttpContext) {
  const ability = sheetFormAbility(ctx)!
  const user = await signedInUser(ctx)
  return !!user && (await new Bouncer(user, abilities, {}).allows(ability))
}

export default class FormLimitsBodyParserMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (!everyForm || !sheet) {
      const config = app.config.get<any>('bodyparser')
      everyForm = new BodyParserMiddleware(config)
      sheet = new BodyParserMiddleware({ ...config, form: { ...config.form, limit: SHEET_FORM_BODY_LIMIT, queryString: { ...config.form.queryString, parameterLimit: SHEET_FORM_FIELD_LIMIT } } })
    }
    // Every other route at once (no promise more on the till's scans and sales)
    if (!sheetFormAbility(ctx)) return parse(everyForm, ctx, next, false)
    return sheetLimitsFor(ctx).then((large) => parse(large ? sheet! : everyForm!, ctx, next, large))
  }
}

function parse(parser: BodyParserMiddleware, ctx: HttpContext, next: NextFn, large: boolean) {
  return parser.handle(ctx, () => {
    if (ctx.request.bodyType === 'urlencoded') refuseTooManyFields(ctx, large)
    return next()
  })
}
