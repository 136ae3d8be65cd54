import shieldConfig from '#config/shield'

/*
| The headers every answer carries: the pages, the API, the app's files, the 404 of an address no
| route matches (app/middleware/security_headers_middleware.ts), and the 400 of an address the
| HTTP server cannot decode, answered before any middleware (app/exceptions/bad_url.ts).
*/

/** The till needs no camera, microphone, location or payment API of the browser */
const PERMISSIONS = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()'
export const HSTS = 'max-age=15552000'

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

export const FIXED_HEADERS: [string, string][] = [
  ['Referrer-Policy', 'same-origin'],
  ['Permissions-Policy', PERMISSIONS],
  ['X-Frame-Options', 'DENY'],
  ['X-Content-Type-Options', 'nosniff'],
  ['Content-Security-Policy', DEFAULT_CSP],
]
