import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

/**
 * Fills in the defaults a fresh checkout needs before the env is validated,
 * and makes sure APP_KEY exists: from the environment, or from storage/app_key,
 * created with a random value on first start.
 */
export function ensureAppKey(appRoot: URL) {
  const defaults: Record<string, string> = {
    NODE_ENV: 'development',
    PORT: '3333',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'info',
    SESSION_DRIVER: 'cookie',
    DB_CONNECTION: 'sqlite',
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (!process.env[name]) process.env[name] = value
  }
  if (process.env.APP_KEY) return

  const storage = new URL('storage/', appRoot)
  const keyFile = new URL('app_key', storage)
  if (!existsSync(keyFile)) {
    mkdirSync(storage, { recursive: true })
    writeFileSync(keyFile, randomBytes(32).toString('base64url'), { mode: 0o600 })
  }
  process.env.APP_KEY = readFileSync(keyFile, 'utf8').trim()
}
