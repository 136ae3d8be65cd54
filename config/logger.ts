import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'
import { currentRequestId } from '#platform/request_context'
import { redactSecrets } from '#platform/log_redaction'

/*
| JSON lines in production (one object per line, on stdout), pretty lines in development.
| Every line logged while a request runs carries its request_id, also from services that log
| through the app's logger (the mixin reads request_context.ts). Secrets never reach a line:
| the fields log_redaction.ts names are replaced by "[redacted]", up to two levels deep.
*/

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'pos',
      level: env.get('LOG_LEVEL'),
      // Only when a line is written (pino's own redact option would cost every request: see log_redaction.ts)
      formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) },
      // ctx.logger already carries request_id; other lines get it from the request being served
      mixin(_merge: object, _level: number, logger: any) {
        const requestId = currentRequestId()
        return requestId && !logger?.bindings?.().request_id ? { request_id: requestId } : {}
      },
      transport: {
        targets: targets()
          .pushIf(!app.inProduction && !app.inTest, targets.pretty())
          .pushIf(app.inProduction || app.inTest, targets.file({ destination: 1 }))
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
