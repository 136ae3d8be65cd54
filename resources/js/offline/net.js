/*
| Talking to the server from the offline till: JSON with the page's CSRF token and the session's
| cookie. A network error, a gateway's 502-504 or a 503 (the app's own when its database is gone)
| mean "out of reach"; an answer that is not
| the signed-in session's (401, 419, a refused CSRF token or a redirect to the sign-in page) means
| "sign in again".
*/
export class Unreachable extends Error {}
export class SignedOut extends Error {}

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
  if ([502, 503, 504].includes(response.status)) throw new Unreachable(`HTTP ${response.status}`)
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
