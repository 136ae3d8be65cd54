import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/** The till needs no camera, microphone, location or payment API of the browser */
const PERMISSIONS = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()'
const HSTS = 'max-age=15552000'

/**
 * Headers every answer carries, pages, API and assets alike (the CSP is Shield's, on pages).
 * HSTS only over TLS: sent on plain HTTP it would lock out a store that serves the till on its
 * LAN without a certificate. request.secure() reads X-Forwarded-Proto (config/app.ts trusts the
 * proxy), so a TLS-terminating proxy in front counts.
 */
export default class SecurityHeadersMiddleware {
  async handle({ request, response }: HttpContext, next: NextFn) {
    response.header('Referrer-Policy', 'same-origin')
    response.header('Permissions-Policy', PERMISSIONS)
    if (request.secure()) response.header('Strict-Transport-Security', HSTS)
    return next()
  }
}
