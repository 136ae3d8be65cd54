import { defineConfig } from '@adonisjs/shield'

export default defineConfig({
  /*
  | Pages run only the app's own files: no inline script but one carrying the page's nonce
  | (receipt.edge's print), no eval (Alpine's CSP build, htmx with allowEval off), no inline
  | style attribute (classes in app.css; x-show and htmx set styles through the CSSOM, which CSP
  | allows). Live updates are same-origin server-sent events. See docs/security.md.
  */
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`, '@nonce'],
      styleSrc: [`'self'`],
      imgSrc: [`'self'`, 'data:'],
      connectSrc: [`'self'`],
      fontSrc: [`'self'`],
      objectSrc: [`'none'`],
      baseUri: [`'self'`],
      formAction: [`'self'`],
      frameAncestors: [`'none'`],
    },
    reportOnly: false,
  },
  // The REST API authenticates with bearer tokens, not cookies, so CSRF does not apply to it
  csrf: {
    enabled: true,
    exceptRoutes: (ctx) => ctx.request.url().startsWith('/api/'),
    // The live-updates client (Transmit) sends the token from the XSRF-TOKEN cookie; pages and
    // htmx carry it themselves. The API (/api/*) gets no cookies at all.
    // Pages send the token of the page (htmx's hx-headers, live.js): no XSRF-TOKEN cookie to
    // encrypt and set on every answer
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  // Shield would send HSTS on plain HTTP too: security_headers_middleware sends it over TLS only
  hsts: { enabled: false, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})
