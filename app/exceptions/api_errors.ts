import { errors as vineErrors } from '@vinejs/vine'
import { errors as authErrors } from '@adonisjs/auth'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { DomainError, FieldErrors } from '#exceptions/domain_error'
import { isLostConnection } from '#platform/lost_connections'

export interface ApiErrorAnswer {
  status: number
  body: { errors: { message: string; field?: string; code?: string; rule?: string }[] }
}

// What the database driver raises when the database cannot be reached at all (a stopped server,
// a cut network, a Galera node out of the cluster, a pool that got no connection): a retry later
// may succeed, so these answer 503, never 500. Lock waits and deadlocks are not among them.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  // Galera: "WSREP has not yet prepared node for application use" (a node that lost its cluster)
  'ER_UNKNOWN_COM_ERROR',
  'ER_LOCK_WSREP_FAIL',
  // A cluster node that refused a new connection for being out of sync (database_nodes.ts)
  'ER_NODE_NOT_READY',
])

/**
 * The database's storage refusing writes (a full disk, a read-only file or server, an I/O error):
 * nothing the request did, and it passes once someone frees the disk (it answered 500)
 */
const STORAGE_FAULT = /^(SQLITE_(READONLY|FULL|IOERR|CANTOPEN)|ER_(DISK_FULL|RECORD_FILE_FULL|OPTION_PREVENTS_STATEMENT|READ_ONLY_MODE))/

/** The one place that decides whether an error means "the database is unavailable" (a 503) */
export function isDatabaseUnavailable(error: any): boolean {
  return isDatabaseUnreachable(error) || isStorageFault(error)
}

function isStorageFault(error: any): boolean {
  return STORAGE_FAULT.test(String(error?.code ?? ''))
}

/**
 * What is wrong, in words, for each place that says a 503 of the database, and when to try again.
 * A full disk said "The database is not reachable; try again shortly": the admin looked at the
 * network and the database server, which were fine, and nobody freed the disk. A storage fault is
 * not the cashier's to fix and does not pass in seconds, so it says who must act.
 */
export function databaseUnavailableWords(error: any): { reason: string; again: string } {
  const code = String(error?.code ?? '')
  if (!isStorageFault(error)) return { reason: 'The database is not reachable', again: 'try again shortly' }
  const again = 'try again once it is put right'
  if (/FULL/.test(code)) return { reason: 'The database cannot save anything: its disk is full (whoever runs the server must free space)', again }
  if (/READONLY|READ_ONLY|OPTION_PREVENTS/.test(code)) {
    return { reason: 'The database cannot save anything: it is read-only (a read-only file or disk, or a MariaDB server in read_only such as a replica; whoever runs the server must make it writable)', again }
  }
  return { reason: 'The database cannot read or write its files (a failing disk, or a file that cannot be opened: whoever runs the server must look at it)', again }
}

/**
 * The database out of reach: a transaction that met this is run again on a fresh connection
 * (db_transaction.ts). A storage fault is not: a full disk does not clear in the seconds of retries
 */
export function isDatabaseUnreachable(error: any): boolean {
  if (!error || typeof error !== 'object') return false
  if (UNAVAILABLE_CODES.has(error.code)) return true
  if (error.name === 'KnexTimeoutError') return true
  // A connection closed under its query (or refused by mysql2 as closed before anything was sent),
  // among them "Connection was killed", which mysql2 gives no code (it answered 500)
  if (isLostConnection(error)) return true
  return /\bWSREP\b/.test(String(error.sqlMessage ?? ''))
}

/** Seconds a client should wait before it retries a request the database could not serve */
export const DATABASE_RETRY_AFTER = 5

/**
 * One JSON shape for every API error: {errors: [{message, field?, code?}]}.
 * Returns null for errors that are not the client's doing (those stay 500s); an unreachable
 * database is 503 database_unavailable.
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
  if (error instanceof FieldErrors) {
    return { status: error.status, body: { errors: error.problems.map(({ field, message, code }) => ({ message, code, field })) } }
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
    // The wait in words ("Too many requests" did not say it); the handler sends it as Retry-After
    const minutes = Math.ceil(retryAfterOf(error) / 60)
    return { status: 429, body: { errors: [{ message: `Too many attempts: try again in ${minutes} minute(s)`, code: 'too_many_requests' }] } }
  }
  if (error?.code === 'E_ROW_NOT_FOUND' || error?.code === 'E_ROUTE_NOT_FOUND') {
    return { status: 404, body: { errors: [{ message: 'Not found', code: 'not_found' }] } }
  }
  if (isDatabaseUnavailable(error)) {
    const { reason, again } = databaseUnavailableWords(error)
    return { status: 503, body: { errors: [{ message: `${reason}; ${again}`, code: 'database_unavailable' }] } }
  }
  const status = Number(error?.status)
  if (status >= 400 && status < 500) {
    // Body parser errors (malformed JSON, too large) and other HTTP errors raised by the framework.
    // A body too large said the framework's "request entity too large", also at the till (htmx)
    const message = status === 413 ? 'Too much was sent at once: nothing of it was saved. Send less at a time.' : error.message
    return { status, body: { errors: [{ message, code: String(error.code ?? 'bad_request').toLowerCase() }] } }
  }
  return null
}

/** Seconds until a rate-limited key takes attempts again (at least 1) */
export function retryAfterOf(error: InstanceType<typeof limiterErrors.E_TOO_MANY_REQUESTS>) {
  return Math.max(1, Math.ceil(error.response.availableIn))
}
