import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { safeParse } from '@poppinss/utils/json'
import { DomainError } from '#exceptions/domain_error'

/*
| JSON bodies are read as text by the body parser (config/bodyparser.ts lists the JSON types
| under `raw`, within its size limit) and parsed here, after one linear pass over the text
| refuses nesting deeper than MAX_DEPTH: a body nested 100,000 deep used to reach the parser and
| answer "Maximum call stack size exceeded". What the body parser did for JSON is kept: only an
| object or an array, empty strings become null, no __proto__ keys.
*/
export const JSON_TYPES = ['application/json', 'application/json-patch+json', 'application/vnd.api+json', 'application/csp-report']
/** The deepest body the app takes is 4 levels (a sale's items' fields); plugin settings may nest more */
export const MAX_DEPTH = 32

export default class JsonBodyMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (ctx.request.bodyType !== 'raw' || !ctx.request.is(JSON_TYPES)) {
      if (ctx.request.url().startsWith('/api/') && hasBody(ctx)) {
        // The API reads JSON only: a JSON body sent as text/plain (or a form, or with no type) was
        // left unread, and the validator answered "The items field must be defined"
        throw new DomainError('The body must be JSON, sent with Content-Type: application/json', { status: 415, code: 'unsupported_media_type' })
      }
      return next()
    }
    const text = ctx.request.raw() ?? ''
    ctx.request.updateBody(parseBody(text))
    ctx.request.bodyType = 'json'
    return next()
  }
}

/** A request that sends a body (the methods the body parser reads, with a length or chunks) */
function hasBody(ctx: HttpContext) {
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.request.method())) return false
  return Number(ctx.request.header('content-length') ?? 0) > 0 || ctx.request.header('transfer-encoding') !== undefined
}

export function parseBody(text: string): Record<string, unknown> | unknown[] {
  if (!text.trim()) return {}
  if (!/^[\x20\x09\x0a\x0d]*[[{]/.test(text)) {
    throw new DomainError('The body must be a JSON object or array', { status: 422, code: 'invalid_json' })
  }
  if (nestingDepth(text) > MAX_DEPTH) {
    throw new DomainError(`The JSON body is nested more than ${MAX_DEPTH} levels deep`, { status: 400, code: 'json_too_deep' })
  }
  let body: Record<string, unknown> | unknown[]
  try {
    body = safeParse(text)
  } catch {
    throw new DomainError('The body is not valid JSON', { status: 400, code: 'invalid_json' })
  }
  emptyStringsToNull(body)
  return body
}

/**
 * Every empty string in the parsed body becomes null, in place (what a reviver did: V8 parses
 * with one several times slower, and this walk is at most MAX_DEPTH deep)
 */
function emptyStringsToNull(value: Record<string, unknown> | unknown[]) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (item === '') value[i] = null
      else if (item !== null && typeof item === 'object') emptyStringsToNull(item as Record<string, unknown>)
    }
    return
  }
  for (const key in value) {
    const item = value[key]
    if (item === '') value[key] = null
    else if (item !== null && typeof item === 'object') emptyStringsToNull(item as Record<string, unknown>)
  }
}

/** The deepest nesting of objects and arrays in a JSON text, brackets inside strings skipped */
export function nestingDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // a backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > deepest) deepest = depth
      if (deepest > MAX_DEPTH) return deepest
    } else if (c === 125 || c === 93) depth--
  }
  return deepest
}
