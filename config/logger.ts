import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'
import { currentRequestId } from '#platform/request_context'

/*
| JSON lines in production (one object per line, on stdout), pretty lines in development.
| Every line logged while a request runs carries its request_id, also from services that log
| through the app's logger (the mixin reads request_context.ts). Secrets never reach a line:
| these paths are replaced by "[redacted]" wherever they appear in a logged object.
*/
const SECRETS = ['password', 'pin', 'token', 'authorization', 'cookie', 'set-cookie', 'secret', 'apiKey', 'api_key', 'body', 'response_body']

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'pos',
      level: env.get('LOG_LEVEL'),
      redact: {
        paths: [...SECRETS, ...SECRETS.map((key) => `*.${key}`), ...SECRETS.map((key) => `*.*.${key}`), 'req.headers["x-csrf-token"]', 'headers["x-csrf-token"]'],
        censor: '[redacted]',
      },
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
