import { defineConfig } from '@adonisjs/core/bodyparser'
import { JSON_TYPES } from '#middleware/json_body_middleware'

export default defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: { convertEmptyStringsToNull: true, types: ['application/x-www-form-urlencoded'] },
  // JSON is read as text here and parsed by app/middleware/json_body_middleware.ts, which refuses
  // a body nested too deep before parsing it (the parser would overflow the stack)
  json: { convertEmptyStringsToNull: true, types: [] },
  raw: { limit: '1mb', types: [...JSON_TYPES, 'text/*'] },
  multipart: { autoProcess: true, convertEmptyStringsToNull: true, processManually: ['/backoffice/products/import'], limit: '20mb', types: ['multipart/form-data'] },
})
