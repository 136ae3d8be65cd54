import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import app from '@adonisjs/core/services/app'
import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import { isSheetForm, refuseTooManyFields, SHEET_FORM_BODY_LIMIT, SHEET_FORM_FIELD_LIMIT } from '#platform/form_limits'

/*
| AdonisJS's body parser with two sets of form limits: config/bodyparser.ts's small ones, and a
| stocktake sheet's large ones on its route only (app/platform/form_limits.ts). The parser takes its
| limits once, when made, and has no setting by route: so there are two of them, chosen by the
| route matched (this runs as router middleware). A form past its route's field limit is refused
| whole here (the parser would have dropped the fields past it without a word).
*/

let everyForm: BodyParserMiddleware | undefined
let sheet: BodyParserMiddleware | undefined

export default class FormLimitsBodyParserMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (!everyForm || !sheet) {
      const config = app.config.get<any>('bodyparser')
      everyForm = new BodyParserMiddleware(config)
      sheet = new BodyParserMiddleware({ ...config, form: { ...config.form, limit: SHEET_FORM_BODY_LIMIT, queryString: { ...config.form.queryString, parameterLimit: SHEET_FORM_FIELD_LIMIT } } })
    }
    return (isSheetForm(ctx) ? sheet : everyForm).handle(ctx, () => {
      if (ctx.request.bodyType === 'urlencoded') refuseTooManyFields(ctx)
      return next()
    })
  }
}
