import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import shieldConfig from '#config/shield'

/** The till needs no camera, microphone, location or payment API of the browser */
const PERMISSIONS = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()'
const HSTS = 'max-age=15552000'

/**
 * The pages' policy (config/shield.ts) without its nonce, for the answers Shield does not draw:
 * Shield runs with the router, so an address no route matches (its 404 page), the app's own
 * files and the API had no policy at all. On a page Shield's own, with the page's nonce, replaces
 * it (both are set on the Node response, the later one wins).
 */
const DEFAULT_CSP = Object.entries(shieldConfig.csp.directives ?? {})
  .map(([name, values]) => {
    // (Shield turns its keywords, such as @nonce, into functions when it starts)
    const kept = ((values ?? []) as unknown[]).filter((value): value is string => typeof value === 'string' && !value.startsWith('@'))
    return [name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`), ...kept].join(' ')
  })
  .join('; ')

/**
 * Headers every answer carries, pages, API, assets and the 404 of an address no route matches
 * alike. HSTS only over TLS: sent on plain HTTP it would lock out a store that serves the till on
 * its LAN without a certificate. request.secure() reads X-Forwarded-Proto (config/app.ts trusts
 * the proxy), so a TLS-terminating proxy in front counts.
 */
export default class SecurityHeadersMiddleware {
  async handle({ request, response }: HttpContext, next: NextFn) {
    response.header('Referrer-Policy', 'same-origin')
    response.header('Permissions-Policy', PERMISSIONS)
    response.header('X-Frame-Options', 'DENY')
    response.header('X-Content-Type-Options', 'nosniff')
    response.response.setHeader('Content-Security-Policy', DEFAULT_CSP)
    if (request.secure()) response.header('Strict-Transport-Security', HSTS)
    return next()
  }
}
