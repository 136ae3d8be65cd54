import { defineConfig } from '@adonisjs/shield'

export default defineConfig({
  csp: { enabled: false, directives: {}, reportOnly: false },
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
  hsts: { enabled: false, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})
