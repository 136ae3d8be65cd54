import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { errors as shieldErrors } from '@adonisjs/shield'
import { errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { DomainError, FieldErrors } from '#exceptions/domain_error'
import { PricingRefusal } from '#core/pricing'
import { apiErrorBody, DATABASE_RETRY_AFTER, databaseUnavailableWords, isDatabaseUnavailable, retryAfterOf } from '#exceptions/api_errors'
import { keepFlashedInputSmall } from '#platform/flashed_input'
import { allowedMethods } from '#exceptions/method_not_allowed'

/*
| Errors answer where the user is: the API in JSON ({errors:[{field, message, code}]}),
| the till's htmx requests with a message fragment in the till's message area, and
| back-office forms by going back to the form with the message on the field.
*/
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction
  protected renderStatusPages = true

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '403': (error, { view }) => view.render('errors/status', { status: 403, title: 'Not allowed', message: 'Your role may not open this page.', error }),
    '404': (error, { view }) => view.render('errors/status', { status: 404, title: 'Not found', message: 'This page does not exist.', error }),
    // A form too big (its body, or its fields: app/platform/form_limits.ts) is refused before the
    // session is read, so it cannot go back to the form with a flash: it says so here, whole
    '413': (error, { view }) =>
      view.render('errors/status', { status: 413, title: 'Too much sent at once', message: error instanceof DomainError ? error.message : 'This form sent more than the server reads at once: nothing of it was saved. Go back and send less at a time.', error }),
    // A DomainError of 5xx (a browser or a service missing) says what is wrong; anything else is a bug
    '500..599': (error, { view }) =>
      error instanceof DomainError
        ? view.render('errors/status', { status: error.status, title: 'Not available', message: error.message, error })
        : view.render('errors/status', { status: 500, title: 'Something went wrong', message: 'The error was logged. Nothing you entered was saved half-way: try again.', error }),
  }

  async handle(error: any, ctx: HttpContext) {
    error = asDomainError(error)
    if (isDatabaseUnavailable(error)) return this.#databaseUnavailable(ctx, error)
    if (error instanceof DomainError && error.retryAfter) ctx.response.header('Retry-After', String(error.retryAfter))
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) ctx.response.header('Retry-After', String(retryAfterOf(error)))
    // Live updates read the session without writing it (browser_session_middleware.ts): the usual
    // redirect to the sign-in page flashes into it, which answered an ended session's stream 500
    if (error?.code === 'E_UNAUTHORIZED_ACCESS' && ctx.request.url().startsWith('/__transmit/')) {
      return ctx.response.unauthorized({ errors: [{ message: 'Sign in to receive live updates', code: 'unauthenticated' }] })
    }
    if (answersJson(ctx)) {
      // A known address under a method it does not take: 405 with Allow, not "not found"
      const allowed = error?.code === 'E_ROUTE_NOT_FOUND' ? allowedMethods(ctx) : []
      if (allowed.length) {
        ctx.response.header('Allow', allowed.join(', '))
        const message = `${ctx.request.method()} is not allowed at this address: it takes ${allowed.join(', ')}`
        return ctx.response.status(405).json({ errors: [{ message, code: 'method_not_allowed' }] })
      }
      const answer = apiErrorBody(error)
      if (answer) return ctx.response.status(answer.status).json(answer.body)
      if (!app.inProduction) return super.handle(error, ctx)
      return ctx.response.status(500).json({ errors: [{ message: 'Internal error', code: 'internal_error' }] })
    }

    if (ctx.request.header('hx-request')) {
      const answer = apiErrorBody(error)
      if (error instanceof shieldErrors.E_BAD_CSRF_TOKEN) {
        return this.#htmxMessage(ctx, 419, isTillPage(ctx) ? 'Your session expired. Reload the page to continue; the cart is kept.' : 'Your session expired. Reload the page to continue.')
      }
      if (answer && answer.status !== 401) {
        return this.#htmxMessage(ctx, answer.status, answer.body.errors.map((e) => e.message).join(' '))
      }
      if (answer?.status === 401) {
        ctx.response.header('HX-Redirect', '/login')
        return ctx.response.status(401).send('')
      }
    }

    // A refused page or form answers 403 with the status page, never a silent redirect back
    if (error instanceof bouncerErrors.E_AUTHORIZATION_FAILURE) {
      const html = await ctx.view.render('errors/status', { status: 403, title: 'Not allowed', message: 'Your role may not do this.' })
      return ctx.response.status(403).send(html)
    }
    if (error instanceof DomainError && error.status < 500 && 'session' in ctx && ctx.request.method() !== 'GET') {
      const messages = error instanceof FieldErrors ? error.problems.map(({ field, message }) => ({ field, message })) : [{ field: error.field ?? 'form', message: error.message }]
      ctx.session.flashValidationErrors({ code: 'E_FORM', messages } as any)
      // The page's alert says why: "could not be saved, see below" pointed at nothing when the
      // field is not on that page (a void refused for a held register, a print with no printer)
      ctx.session.flashErrors({ E_FORM: error.message })
      keepFlashedInputSmall(ctx)
      return ctx.response.redirect().back()
    }
    // A page that cannot be shown now (closing a shift that is not open): its status with the
    // reason, in the app's page; it was the framework's debug page (a stack trace) in development
    const pageOpened = ['GET', 'HEAD'].includes(ctx.request.method()) && ctx.request.accepts(['html', 'json']) === 'html'
    if (error instanceof DomainError && error.status < 500 && error.status !== 401 && pageOpened) {
      const title = error.status === 403 ? 'Not allowed' : error.status === 404 ? 'Not found' : 'Not possible now'
      const html = await ctx.view.render('errors/status', { status: error.status, title, message: error.message })
      return ctx.response.status(error.status).send(html)
    }
    return super.handle(error, ctx)
  }

  /**
   * A refused form goes back with its errors and its input (the session's own renderer), kept
   * small. A page opened with a bad value in its address (?page=-1) was "sent back" too: to the
   * referring page, or the dashboard when there is none. It opens without the query, saying why.
   */
  async renderValidationErrorAsHTML(error: any, ctx: HttpContext) {
    if (ctx.request.method() === 'GET' && 'session' in ctx) {
      const messages: { field: string; message: string }[] = error.messages ?? []
      const refused = new Set(messages.map((m) => m.field.split('.')[0]))
      const query = Object.entries(ctx.request.qs())
      const kept = query.filter(([key, value]) => !refused.has(key) && typeof value === 'string')
      // Only when a refused value was in the query: the address without it then asks again
      if (kept.length < query.length) {
        const said = messages.map((m) => `${m.field}: ${m.message}`).join('; ')
        ctx.session.flashErrors({ E_VALIDATION_ERROR: `This page was opened with a value it cannot use (${said}): shown without it.` })
        const path = ctx.request.url().replace(/^\/+/, '/')
        return ctx.response.redirect(kept.length ? `${path}?${new URLSearchParams(kept as [string, string][])}` : path)
      }
    }
    await super.renderValidationErrorAsHTML(error, ctx)
    keepFlashedInputSmall(ctx)
  }

  /** 503 with Retry-After: JSON for the API, the till's message (its cart is on the server), a plain page */
  async #databaseUnavailable(ctx: HttpContext, error: unknown) {
    ctx.response.header('Retry-After', String(DATABASE_RETRY_AFTER))
    if (answersJson(ctx)) {
      return ctx.response.status(503).json(apiErrorBody(error)!.body)
    }
    const words = databaseUnavailableWords(error)
    if (ctx.request.header('hx-request')) return this.#htmxUnavailable(ctx, words)
    const message = `${words.reason}. Nothing was lost: ${words.again}.`
    const html = await ctx.view
      .render('errors/status', { status: 503, title: 'Database unavailable', message })
      .catch(() => `<!doctype html><title>503</title><h1>Database unavailable</h1><p>${message}</p>`)
    return ctx.response.status(503).send(html)
  }

  /**
   * An htmx request's 503, said where the user is looking. The till's pages have a message area
   * (#till-message); the sale screen keeps its cart on the server, the Returns screen has none to
   * keep. A back-office fragment (an import's progress, polled every second) has no such area: the
   * message aimed at it threw htmx's "invalid re-target" on every poll, and the page went on
   * showing the last progress with no word of the outage. It goes into the fragment's own place
   * (innerHTML: the polling element stays, and shows the progress again once the database is back).
   */
  #htmxUnavailable(ctx: HttpContext, { reason, again }: { reason: string; again: string }) {
    if (isTillPage(ctx)) {
      const returns = pagePath(ctx).startsWith('/till/returns')
      return this.#htmxMessage(ctx, 503, returns ? `${reason}: nothing was changed, ${again}` : `${reason}: your cart is kept, ${again}`)
    }
    const html = ctx.view.render('components/alert', { message: `${reason}. Nothing was lost: ${again} (a progress shown here comes back by itself).`, tone: 'error' })
    retargetMessage(ctx)
    return html.then((body) => ctx.response.status(503).send(body))
  }

  #htmxMessage(ctx: HttpContext, status: number, message: string) {
    retargetMessage(ctx)
    return ctx.view
      .render('components/alert', { message, tone: 'error' })
      .then((html) => ctx.response.status(status).send(html))
  }

  /** A refusal is the user's 4xx, not logged as an error */
  async report(error: unknown, ctx: HttpContext) {
    return super.report(asDomainError(error), ctx)
  }
}

/** The pure core refuses with an error of its own; where the user is, it is a 422 on the field */
function asDomainError(error: any) {
  if (error instanceof PricingRefusal) return new DomainError(error.message, { code: error.code, field: error.field })
  // A body that does not inflate as its Content-Encoding says: zlib's error (gzip, deflate and
  // brotli alike, with codes of their own) carries no status
  // (an unknown encoding is already a 415 of the body parser)
  if (typeof error?.errno === 'number' && /\bzlibOnError\b/.test(String(error.stack))) {
    return new DomainError('The body is not compressed as its Content-Encoding says', { status: 400, code: 'bad_content_encoding' })
  }
  return error
}

/** Whether an htmx request came from the till's pages, which have a message area */
function isTillPage(ctx: HttpContext) {
  const page = pagePath(ctx)
  return page === '/till' || page.startsWith('/till/')
}

/**
 * Where an htmx request's message goes: the till's message area (#till-message) on its pages; on
 * the others, which have none, the element the request swaps into (an id as the templates write
 * them, never a selector from the request). Aimed at #till-message there, a back-office refusal
 * (the products import's expired token) was dropped by htmx ("invalid re-target"): nothing said
 */
function retargetMessage(ctx: HttpContext) {
  const target = isTillPage(ctx) ? 'till-message' : (ctx.request.header('hx-target') ?? '')
  if (!/^[A-Za-z][\w-]{0,60}$/.test(target)) return
  ctx.response.header('HX-Retarget', `#${target}`)
  ctx.response.header('HX-Reswap', 'innerHTML')
}

/** The path of the page an htmx request came from (HX-Current-URL), or of the request itself */
function pagePath(ctx: HttpContext) {
  try {
    return new URL(ctx.request.header('hx-current-url') ?? '').pathname
  } catch {
    return new URL(ctx.request.url(), 'http://x').pathname
  }
}

/** The API, and the till's own JSON calls (the offline till's sync), answer errors in JSON */
function answersJson(ctx: HttpContext) {
  const url = ctx.request.url()
  return url.startsWith('/api/') || url.startsWith('/till/offline/')
}
