import { errors as vineErrors } from '@vinejs/vine'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { DomainError } from '#exceptions/domain_error'

export interface ApiErrorAnswer {
  status: number
  body: { errors: { message: string; field?: string; code?: string; rule?: string }[] }
}

/**
 * One JSON shape for every API error: {errors: [{message, field?, code?}]}.
 * Returns null for errors that are not the client's doing (those stay 500s).
 */
export function apiErrorBody(error: any): ApiErrorAnswer | null {
  if (error instanceof vineErrors.E_VALIDATION_ERROR) {
    return {
      status: 422,
      body: {
        errors: (error.messages as any[]).map((m) => ({ field: m.field, message: m.message, rule: m.rule })),
      },
    }
  }
  if (error instanceof DomainError) {
    const entry: { message: string; code: string; field?: string } = { message: error.message, code: error.code! }
    if (error.field) entry.field = error.field
    return { status: error.status, body: { errors: [entry] } }
  }
  if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS || error instanceof authErrors.E_INVALID_CREDENTIALS) {
    return {
      status: 401,
      body: { errors: [{ message: error.message || 'Unauthorized access', code: 'unauthenticated' }] },
    }
  }
  if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) {
    return { status: 403, body: { errors: [{ message: 'Your role may not do this', code: 'forbidden' }] } }
  }
  if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
    return { status: 429, body: { errors: [{ message: error.message, code: 'too_many_requests' }] } }
  }
  if (error?.code === 'E_ROW_NOT_FOUND' || error?.code === 'E_ROUTE_NOT_FOUND') {
    return { status: 404, body: { errors: [{ message: 'Not found', code: 'not_found' }] } }
  }
  const status = Number(error?.status)
  if (status >= 400 && status < 500) {
    // Body parser errors (malformed JSON, too large) and other HTTP errors raised by the framework
    return { status, body: { errors: [{ message: error.message, code: String(error.code ?? 'bad_request').toLowerCase() }] } }
  }
  return null
}
