/*
| Environment variables are validated here once, at boot. A fresh install has
| no .env at all: APP_KEY is then generated on first start and kept in
| storage/app_key (never in the repository), so `npm run demo` just works.
*/
import { Env } from '@adonisjs/core/env'
import { ensureAppKey } from '#start/app_key'
import { addressList, appKeyLength, configurationProblems, installationId, logLevel, parseBackupInterval, port, proxyList, refuseToStart } from '#start/configuration_error'

const appRoot = new URL('../', import.meta.url)
ensureAppKey(appRoot)

const env = await Env.create(appRoot, {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: port,
  HOST: Env.schema.string({ format: 'host' }),
  APP_KEY: (key: string, value?: string) => {
    appKeyLength(key, value)
    return Env.schema.secret()(key, value)
  },
  APP_URL: Env.schema.string.optional(),
  LOG_LEVEL: logLevel,
  SESSION_DRIVER: Env.schema.enum(['cookie', 'memory'] as const),

  DB_CONNECTION: Env.schema.enum(['sqlite', 'mysql'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  DB_HOST: Env.schema.string.optional(),
  DB_PORT: Env.schema.number.optional(),
  DB_SOCKET: Env.schema.string.optional(),
  DB_USER: Env.schema.string.optional(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string.optional(),
  DB_POOL_MAX: Env.schema.number.optional(),
  DB_HOSTS: Env.schema.string.optional(),
  DB_NODE_RETRY_MS: Env.schema.number.optional(),
  DB_WSREP_SYNC_WAIT: Env.schema.number.optional(),
  DB_RETRY_ATTEMPTS: Env.schema.number.optional(),
  DB_CONNECT_TIMEOUT_MS: Env.schema.number.optional(),
  DB_ACQUIRE_TIMEOUT_MS: Env.schema.number.optional(),
  DB_QUERY_TIMEOUT_MS: Env.schema.number.optional(),
  DB_LONG_QUERY_TIMEOUT_MS: Env.schema.number.optional(),

  // Reverse proxies whose X-Forwarded-For is believed (config/app.ts); loopback by default
  TRUSTED_PROXIES: proxyList,

  WEB_CONCURRENCY: Env.schema.number.optional(),
  // Live-update streams one signed-in user may hold open on one server (app/platform/live_streams.ts)
  LIVE_STREAMS_PER_USER: Env.schema.number.optional(),
  // Milliseconds a request's user, store and token rows serve the next requests (identity_cache.ts)
  AUTH_CACHE_TTL: Env.schema.number.optional(),
  // Days an Idempotency-Key and its answer are kept (idempotency_service.ts)
  IDEMPOTENCY_KEY_DAYS: Env.schema.number.optional(),
  IDEMPOTENCY_LEASE_SECONDS: Env.schema.number.optional(),

  REDIS_HOST: Env.schema.string.optional(),
  // This installation's name in Redis keys and channels (app/platform/installation.ts); the database's name by default
  INSTALLATION_ID: installationId,
  REDIS_PORT: Env.schema.number.optional(),
  REDIS_PASSWORD: Env.schema.string.optional(),

  // Backups (backup_service.ts): where, how often ("24h", "30m", 0 = never) and how many are kept
  BACKUP_DIR: Env.schema.string.optional(),
  BACKUP_EVERY: (key: string, value?: string) => {
    if (value && Number.isNaN(parseBackupInterval(value))) throw new Error(`${key} must be a duration such as 24h, 30m, 2d, or 0 for never (it is "${value}")`)
    return value || undefined
  },
  BACKUP_KEEP: Env.schema.number.optional(),
  // GET /metrics: a bearer token, or else the addresses allowed (comma-separated; loopback by default)
  METRICS_TOKEN: Env.schema.string.optional(),
  METRICS_ALLOW: addressList,
  // Seconds a SIGTERM waits for requests in flight before the process exits anyway
  SHUTDOWN_TIMEOUT: Env.schema.number.optional(),

  // Where the plugin host looks for plugin folders (several: separated by ":")
  PLUGINS_PATH: Env.schema.string.optional(),
}).catch((error) => {
  const problems = configurationProblems(error)
  if (problems) refuseToStart(problems)
  throw error
})

export default env
