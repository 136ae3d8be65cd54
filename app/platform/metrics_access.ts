import { timingSafeEqual } from 'node:crypto'
import type { HttpRequest } from '@adonisjs/core/http'

/*
| Who may read /metrics. With METRICS_TOKEN set: only a request carrying it as a bearer token.
| Without: requests from the addresses of METRICS_ALLOW (loopback by default). The address is
| the socket's, not request.ip() (which trusts X-Forwarded-For), and a request that came through
| a proxy is allowed only if every forwarded address is allowed too: behind nginx on the same
| machine, a visitor from outside is refused even though the socket is loopback.
*/

const LOOPBACK = ['127.0.0.1', '::1']

/** null when allowed, else the status to answer (401 without the token, 403 from elsewhere) */
export function metricsAccess(request: HttpRequest, token: string | undefined, allow: string | undefined): 401 | 403 | null {
  if (token) {
    const given = /^Bearer\s+(.+)$/i.exec(request.header('authorization') ?? '')?.[1] ?? ''
    return given && sameText(given, token) ? null : 401
  }
  const allowed = allow ? allow.split(',').map((a) => a.trim()).filter(Boolean) : LOOPBACK
  const forwarded = (request.header('x-forwarded-for') ?? '').split(',').map((a) => a.trim()).filter(Boolean)
  const addresses = [request.request.socket.remoteAddress ?? '', ...forwarded].map(plain)
  return addresses.every((address) => allowed.includes(address)) ? null : 403
}

/** ::ffff:127.0.0.1 is 127.0.0.1 */
function plain(address: string) {
  return address.startsWith('::ffff:') ? address.slice(7) : address
}

function sameText(a: string, b: string) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
