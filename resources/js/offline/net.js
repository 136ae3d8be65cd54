/*
| Talking to the server from the offline till: JSON with the page's CSRF token and the session's
| cookie. A network error, a gateway's 502-504 or a 503 (the app's own when its database is gone)
| mean "out of reach"; an answer that is not
| the signed-in session's (401, 419, a refused CSRF token or a redirect to the sign-in page) means
| "sign in again".
*/
export class Unreachable extends Error {}
export class SignedOut extends Error {}

// What a proxy answers while the app behind it is down or restarting (and the app's own 503)
const GATEWAY_DOWN = [502, 503, 504]
// A till request unanswered this long is the server out of reach. htmx waits forever by default:
// a server that hung (its database frozen, before the server gave up on it in 5 s) held the till,
// which neither sold online nor went offline. Past the server's own limits (a gateway payment's
// start talks to the provider), short of a cashier's patience
const REQUEST_TIMEOUT_MS = 15_000
// The till's payments (till/_pay.edge), and a card payment's poll and cancel while its terminal
// works (till/_gateway_payment.edge: the sale completes on the server the moment it is approved)
const PAYMENT_PATHS = /^\/till\/(payments|gateway-payments(\/.*)?)$/

/**
 * The online till's requests (htmx) the server did not answer: a network error, no answer within
 * REQUEST_TIMEOUT_MS, or 502-504 (behind a proxy, docs/deploy.md, an app that is down answers
 * through it). `unanswered` is told whether it was a payment: one may have been recorded all the
 * same (its answer lost on the way back, or a proxy's 504 while the app went on)
 */
export function watchUnanswered(unanswered) {
  const payment = (event) => PAYMENT_PATHS.test(event.detail?.pathInfo?.requestPath ?? '')
  if (globalThis.htmx) globalThis.htmx.config.timeout = REQUEST_TIMEOUT_MS
  document.body.addEventListener('htmx:sendError', (event) => unanswered(payment(event)))
  document.body.addEventListener('htmx:timeout', (event) => unanswered(payment(event)))
  document.body.addEventListener('htmx:responseError', (event) => {
    if (GATEWAY_DOWN.includes(event.detail.xhr?.status)) unanswered(payment(event))
  })
}

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrf-token'] ?? ''
  } catch {
    return ''
  }
}

export async function call(method, url, body, timeoutMs = 8000) {
  let response
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json', 'x-csrf-token': csrfToken() } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
  } catch (error) {
    throw new Unreachable(error?.message ?? 'network error')
  }
  if (GATEWAY_DOWN.includes(response.status)) throw new Unreachable(`HTTP ${response.status}`)
  if (response.type === 'opaqueredirect' || [401, 419].includes(response.status)) throw new SignedOut('Signed out')
  let data = null
  try {
    data = await response.json()
  } catch {}
  // A CSRF token refused: the session it belonged to is over
  if (response.status === 403 && /csrf/i.test(JSON.stringify(data ?? ''))) throw new SignedOut('Signed out')
  // The server's clock (its Date header): the till measures its own against it (till.js)
  return { status: response.status, data, date: response.headers.get('date') }
}

export async function fetchJson(url) {
  const { status, data } = await call('GET', url)
  if (status !== 200) throw new Error(`${url}: HTTP ${status}`)
  return data
}

/**
 * Can the till sell through the server (whatever the session)? /health/till answers 503 when the
 * server's database does not answer or takes no writes: /health/live answered "ok" then, and an
 * idle till stayed online with every sale failing
 */
export async function reachable() {
  try {
    const response = await fetch('/health/till', { cache: 'no-store', signal: AbortSignal.timeout(4000) })
    return response.status < 500
  } catch {
    return false
  }
}
