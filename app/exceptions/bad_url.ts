import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * An address that is not valid percent-encoding (/api/sales/%ZZ) is refused by the HTTP server
 * before any middleware runs. The API answers it in JSON, as its other errors (it was a plain-text
 * "Bad Request"); other addresses in text. Both with the fixed headers every answer carries.
 */
export function answerBadUrl(req: IncomingMessage, res: ServerResponse) {
  const headers = { 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'same-origin' }
  if ((req.url ?? '').startsWith('/api/')) {
    res.writeHead(400, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ errors: [{ message: 'The address is not valid: each % must be followed by two hexadecimal digits of UTF-8', code: 'bad_url' }] }))
    return
  }
  res.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end('Bad Request: the address is not valid')
}
