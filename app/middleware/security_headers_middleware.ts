import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { FIXED_HEADERS, HSTS } from '#platform/security_headers'

/**
 * Headers every answer carries, pages, API, assets and the 404 of an address no route matches
 * alike. HSTS only over TLS: sent on plain HTTP it would lock out a store that serves the till on
 * its LAN without a certificate. request.secure() reads X-Forwarded-Proto (config/app.ts trusts
 * the proxy), so a TLS-terminating proxy in front counts.
 */
export default class SecurityHeadersMiddleware {
  async handle({ request, response }: HttpContext, next: NextFn) {
    // On the Node response: Shield's policy of a page, with its nonce, replaces the CSP later
    for (const [name, value] of FIXED_HEADERS) response.response.setHeader(name, value)
    if (request.secure()) response.header('Strict-Transport-Security', HSTS)
    return next()
  }
}
