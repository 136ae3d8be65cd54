import { defineConfig } from '@adonisjs/core/bodyparser'
import { JSON_TYPES } from '#middleware/json_body_middleware'
import { FORM_BODY_LIMIT, FORM_FIELD_LIMIT } from '#platform/form_limits'

export default defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  // Every form but a stocktake sheet, whose route gets larger limits (app/middleware/body_parser_middleware.ts).
  // Past parameterLimit the parser drops fields silently: that middleware refuses such a form whole
  form: { convertEmptyStringsToNull: true, limit: FORM_BODY_LIMIT, queryString: { parameterLimit: FORM_FIELD_LIMIT }, types: ['application/x-www-form-urlencoded'] },
  // JSON is read as text here and parsed by app/middleware/json_body_middleware.ts, which refuses
  // a body nested too deep before parsing it (the parser would overflow the stack)
  json: { convertEmptyStringsToNull: true, types: [] },
  raw: { limit: '1mb', types: [...JSON_TYPES, 'text/*'] },
  // Not read unless the route reads it: only the products import does (product_csv_controller.ts,
  // with its own limit). Processed for every route, each file part of any POST, the sign-in's too,
  // was written to the system's temporary folder before the route ran, and never deleted
  // (tests/functional/http/uploads.spec.ts)
  multipart: { autoProcess: false, convertEmptyStringsToNull: true, limit: '20mb', types: ['multipart/form-data'] },
})
