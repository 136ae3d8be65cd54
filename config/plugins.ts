import env from '#start/env'
import app from '@adonisjs/core/services/app'

/*
| The plugin host: the folders it scans for plugins/<id>/ (PLUGINS_PATH, ":"-separated,
| relative to the app root) and how long a call into plugin code may take before it is
| treated as failed (a plugin that hangs must not hang a sale).
*/
const pluginsConfig = {
  paths: (env.get('PLUGINS_PATH') ?? 'plugins')
    .split(':')
    .filter(Boolean)
    .map((path) => app.makePath(path)),
  hookTimeoutMs: 3000,
  /** A payment terminal may take a little longer to answer */
  gatewayTimeoutMs: 5000,
  /** An accounting exporter's next row (it may read a busy day of the books first) */
  exportRowTimeoutMs: 30_000,
}

export default pluginsConfig
