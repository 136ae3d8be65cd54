import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { refuseToStart } from '#start/configuration_error'

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
  let making = false
  try {
    if (!existsSync(keyFile)) {
      making = true
      mkdirSync(storage, { recursive: true })
      writeFileSync(keyFile, randomBytes(32).toString('base64url'), { mode: 0o600 })
      making = false
    }
    process.env.APP_KEY = readFileSync(keyFile, 'utf8').trim()
  } catch (error) {
    // A storage/ the app's user may not write (its chown forgotten, a read-only mount), or a key
    // file another user made (an ace command run as root first): the error's stack and a code
    // frame of this file read as a crash, not as a setting to fix
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    const path = fileURLToPath(keyFile)
    refuseToStart([`APP_KEY is not set, and ${path} cannot be ${making ? 'made' : 'read'} (${code}): set APP_KEY (openssl rand -base64 32), or let the app's user ${making ? 'write its folder' : 'read it'} (docs/deploy.md)`])
  }
}
