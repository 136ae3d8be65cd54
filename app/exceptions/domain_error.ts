import { Exception } from '@adonisjs/core/exceptions'

/**
 * A rule of the business said no: the message is for the person at the counter,
 * the code for API clients, the field (when there is one) for the form.
 */
export class DomainError extends Exception {
  declare field?: string
  /** Seconds until trying again is worth it (a 429): sent as Retry-After */
  declare retryAfter?: number

  constructor(message: string, options: { status?: number; code: string; field?: string; retryAfter?: number }) {
    super(message, { status: options.status ?? 422, code: options.code })
    this.field = options.field
    this.retryAfter = options.retryAfter
  }
}

export interface FieldProblem {
  field: string
  message: string
  code: string
}

/**
 * Several fields refused at once (a stock receipt's supplier and three of its lines): a form shows
 * each at its field, the API lists each. Read as a DomainError, it is the first of them.
 */
export class FieldErrors extends DomainError {
  declare problems: FieldProblem[]

  constructor(problems: FieldProblem[]) {
    super(problems[0].message, { code: problems[0].code, field: problems[0].field })
    this.problems = problems
  }
}

export const notFound = (what: string, field?: string) =>
  new DomainError(`${what} was not found`, { status: 404, code: 'not_found', field })
