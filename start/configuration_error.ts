import { isIP } from 'node:net'

/*
| A setting that is wrong stops the start with one line per problem, naming the variable, and
| exit code 1: not a stack trace with a code frame (an invalid PORT or DB_CONNECTION), the same
| exception printed twice (a short APP_KEY), nor a server that starts without its backups.
*/

export class ConfigurationError extends Error {}

/** Prints each problem on a line of its own and ends the process */
export function refuseToStart(problems: string[]): never {
  process.stderr.write(problems.map((problem) => `Configuration error: ${problem}\n`).join(''))
  process.exit(1)
}

/** AdonisJS's own env validation error (E_INVALID_ENV_VARIABLES) lists its problems in `help` */
export function configurationProblems(error: unknown): string[] | null {
  if (error instanceof ConfigurationError) return [error.message]
  const { code, help } = (error ?? {}) as { code?: string; help?: string }
  if (code !== 'E_INVALID_ENV_VARIABLES' || !help) return null
  return help.split('\n').map((line) => line.replace(/^- /, '').trim()).filter(Boolean)
}

/** PORT: a whole number from 1 to 65535 */
export function port(key: string, value?: string): number {
  if (!/^\d+$/.test(value ?? '') || Number(value) < 1 || Number(value) > 65535) {
    throw new Error(`${key} must be a port number from 1 to 65535 (it is "${value ?? ''}")`)
  }
  return Number(value)
}

/** APP_KEY: the cookie and encryption key; the encrypter refuses one under 16 characters */
export function appKeyLength(key: string, value?: string) {
  if ((value ?? '').length < 16) throw new Error(`${key} must be at least 16 characters long (make one with: openssl rand -base64 32)`)
}

/** BACKUP_EVERY: "24h", "30m", "90s", "2d" or a number of hours; 0 turns scheduled backups off */
export function parseBackupInterval(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(value)
  if (!match) return Number.NaN
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, '': 3_600_000 }[match[2] as 's']
  return Math.round(Number(match[1]) * unit)
}

/** LOG_LEVEL: one of pino's levels (pino threw with a stack on any other word) */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export function logLevel(key: string, value?: string): (typeof LOG_LEVELS)[number] {
  if (!LOG_LEVELS.includes(value as any)) throw new Error(`${key} must be one of ${LOG_LEVELS.join(', ')} (it is "${value ?? ''}")`)
  return value as (typeof LOG_LEVELS)[number]
}

const entries = (value: string) => value.split(',').map((entry) => entry.trim()).filter(Boolean)

/**
 * TRUSTED_PROXIES: what proxy-addr (under AdonisJS's trustProxy) takes: addresses, address/prefix,
 * address/netmask, and its three names. A host name there threw from config/app.ts with a stack
 */
export function proxyList(key: string, value?: string): string | undefined {
  if (!value) return undefined
  for (const entry of entries(value)) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue
    const [address, range, ...rest] = entry.split('/')
    const family = isIP(address)
    const prefixOk = range === undefined || (/^\d+$/.test(range) ? Number(range) <= (family === 6 ? 128 : 32) : isIP(range) === family)
    if (!family || !prefixOk || rest.length) throw new Error(`${key} must be addresses or CIDR ranges (or loopback, linklocal, uniquelocal), comma-separated: "${entry}" is not one`)
  }
  return value
}

/** METRICS_ALLOW: plain addresses (app/platform/metrics_access.ts compares them as they are) */
export function addressList(key: string, value?: string): string | undefined {
  if (!value) return undefined
  for (const entry of entries(value)) {
    if (!isIP(entry)) throw new Error(`${key} must be addresses, comma-separated (no ranges, no names): "${entry}" is not one`)
  }
  return value
}

/**
 * INSTALLATION_ID: this installation's name in its Redis keys and channels
 * (app/platform/installation.ts); letters, digits, - and _, up to 64 (a space or a colon would
 * make keys another installation's prefix could match)
 */
export function installationId(key: string, value?: string): string | undefined {
  if (!value) return undefined
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new Error(`${key} must be letters, digits, - and _, up to 64 characters (it is "${value}")`)
  return value
}
