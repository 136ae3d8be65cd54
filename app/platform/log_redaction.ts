/*
| The secrets no log line may hold: a field with one of these names, at the top of a logged
| object or up to two levels inside it, is replaced by "[redacted]" (config/logger.ts).
|
| Why not pino's own `redact` option: its paths `*.password` and `*.*.password` start with a
| wildcard, and with such a path pino runs every binding of every child logger through its
| redaction. AdonisJS makes two child loggers per request (the request id), so every request
| paid for it, logged or not (11 KB of garbage and a few microseconds per sale under pos:bench).
| This runs only when a line is written.
*/
export const SECRET_FIELDS = ['password', 'pin', 'token', 'authorization', 'cookie', 'set-cookie', 'secret', 'apiKey', 'api_key', 'body', 'response_body', 'x-csrf-token']

const SECRETS = new Set(SECRET_FIELDS)
export const CENSOR = '[redacted]'
/** The top object and two levels inside it, as the `*.*.field` paths did */
const DEPTH = 3

/** A copy of the object with its secret fields censored; the object itself is left untouched */
export function redactSecrets<T>(value: T, depth = DEPTH): T {
  if (depth === 0 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    value.forEach((item, index) => {
      const redacted = redactSecrets(item, depth - 1)
      if (redacted !== item) (copy ??= [...value])[index] = redacted
    })
    return (copy ?? value) as T
  }
  const source = value as Record<string, unknown>
  let copy: Record<string, unknown> | null = null
  for (const key of Object.keys(source)) {
    const item = source[key]
    const redacted = SECRETS.has(key) && item !== undefined ? CENSOR : redactSecrets(item, depth - 1)
    if (redacted !== item) (copy ??= cloneShallow(source))[key] = redacted
  }
  return (copy ?? value) as T
}

/** A shallow copy that is still what it was: an Error stays an Error, for pino's serializer */
function cloneShallow(source: Record<string, unknown>): Record<string, unknown> {
  if (!(source instanceof Error)) return { ...source }
  const copy = Object.create(Object.getPrototypeOf(source))
  for (const key of Object.getOwnPropertyNames(source)) Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(source, key)!)
  return copy
}
