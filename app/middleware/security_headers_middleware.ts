import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { FIXED_HEADERS, HSTS } from '#platform/security_headers'

const API_PATH = /^\/api(\/|$)/

/**
 * Headers every answer carries, pages, API, assets and the 404 of an address no route matches
 * alike. HSTS only over TLS: sent on plain HTTP it would lock out a store that serves the till on
 * its LAN without a certificate. request.secure() reads X-Forwarded-Proto (config/app.ts trusts
 * the proxy), so a TLS-terminating proxy in front counts.
 *
 * The API's answers are no-store, each of them: sales, customers, money and tokens (the sign-in's,
 * a bridge's pairing), refusals too. The auth middleware said it to pages only, so a browser or a
 * proxy between an integration and the server was free to keep them. Said before the route runs,
 * so a route may say otherwise (the bridge's event stream).
 */
export default class SecurityHeadersMiddleware {
  async handle({ request, response }: HttpContext, next: NextFn) {
    // On the Node response: Shield's policy of a page, with its nonce, replaces the CSP later
    for (const [name, value] of FIXED_HEADERS) response.response.setHeader(name, value)
    if (request.secure()) response.header('Strict-Transport-Security', HSTS)
    if (API_PATH.test(request.url())) response.header('Cache-Control', 'no-store')
    return next()
  }
}
