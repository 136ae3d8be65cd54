import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import { FIXED_HEADERS } from '#platform/security_headers'

/**
 * An address that is not valid percent-encoding (/api/sales/%ZZ) is refused by the HTTP server
 * before any middleware runs. The API answers it in JSON, as its other errors (it was a plain-text
 * "Bad Request"); other addresses in text. Both with the fixed headers every answer carries (their policy too)
 * and a request id, as any other answer.
 */
export function answerBadUrl(req: IncomingMessage, res: ServerResponse) {
  const headers = { ...Object.fromEntries(FIXED_HEADERS), 'X-Request-Id': randomUUID() }
  if ((req.url ?? '').startsWith('/api/')) {
    res.writeHead(400, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ errors: [{ message: 'The address is not valid: each % must be followed by two hexadecimal digits of UTF-8', code: 'bad_url' }] }))
    return
  }
  res.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end('Bad Request: the address is not valid')
}
