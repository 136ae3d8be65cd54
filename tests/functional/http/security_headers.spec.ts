import { test } from '@japa/runner'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Security headers', () => {
  test('a page carries a CSP with a fresh nonce, no eval and no inline style', async ({ assert }) => {
    const first = await fetch(`${baseUrl()}/login`)
    const second = await fetch(`${baseUrl()}/login`)
    const csp = first.headers.get('content-security-policy')!
    assert.exists(csp)
    const directives = Object.fromEntries(csp.split(';').map((d) => { const [name, ...values] = d.trim().split(/\s+/); return [name, values] }))
    assert.deepEqual(directives['default-src'], ["'self'"])
    assert.equal(directives['script-src'][0], "'self'")
    assert.match(directives['script-src'][1], /^'nonce-[\w-]{16,}'$/)
    assert.deepEqual(directives['style-src'], ["'self'"])
    assert.deepEqual(directives['object-src'], ["'none'"])
    assert.deepEqual(directives['frame-ancestors'], ["'none'"])
    assert.notInclude(csp, 'unsafe-eval')
    assert.notInclude(csp, 'unsafe-inline')
    // A nonce is good for one answer only
    assert.notEqual(csp, second.headers.get('content-security-policy'))
    // The page itself follows it: no inline style attribute or handler, no script without a source or the nonce
    const html = await first.text()
    assert.notMatch(html, /\sstyle="/)
    assert.notMatch(html, /\son[a-z]+="/)
    assert.notMatch(html, /<script(?![^>]*\ssrc=)(?![^>]*\snonce=)[^>]*>/)
    assert.include(html, '"allowEval": false')
  })

  test('Referrer-Policy, Permissions-Policy, frame and sniffing headers on pages, the API and assets', async ({ assert }) => {
    for (const path of ['/login', '/api/products', '/css/app.css', '/vendor/htmx.min.js']) {
      const response = await fetch(`${baseUrl()}${path}`)
      assert.equal(response.headers.get('referrer-policy'), 'same-origin', path)
      assert.match(response.headers.get('permissions-policy') ?? '', /camera=\(\).*geolocation=\(\)/, path)
      assert.isNull(response.headers.get('strict-transport-security'), path)
    }
    const page = await fetch(`${baseUrl()}/login`)
    assert.equal(page.headers.get('x-frame-options'), 'DENY')
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
  })

  test('an address no route matches, the app\'s own assets and the API carry the fixed headers and a CSP too', async ({ assert }) => {
    // Shield runs with the router: a 404 of no route, and the files served before it, had none of these
    for (const path of ['/nonexistent', '/till/items/abc', '/css/app.css', '/js/app.js', '/api/products', '/api/nonexistent']) {
      const response = await fetch(`${baseUrl()}${path}`, { headers: { accept: 'text/html' } })
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path)
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path)
      const csp = response.headers.get('content-security-policy') ?? ''
      assert.include(csp, "default-src 'self'", path)
      assert.include(csp, "frame-ancestors 'none'", path)
      assert.include(csp, "object-src 'none'", path)
      assert.notInclude(csp, 'unsafe-', path)
    }
    // The 404 page is drawn without a session: no CSRF token to put in htmx's headers, and no "undefined"
    const missing = await fetch(`${baseUrl()}/nonexistent`, { headers: { accept: 'text/html' } })
    assert.equal(missing.status, 404)
    const html = await missing.text()
    assert.include(html, 'This page does not exist.')
    assert.notInclude(html, 'undefined')
    assert.notInclude(html, 'x-csrf-token')
    // A page keeps Shield's CSP with its nonce, not the default one
    const page = await fetch(`${baseUrl()}/login`)
    assert.match(page.headers.get('content-security-policy') ?? '', /'nonce-[\w-]{16,}'/)
  })

  test('HSTS only when the request came over TLS (a proxy\'s X-Forwarded-Proto)', async ({ assert }) => {
    const plain = await fetch(`${baseUrl()}/login`)
    assert.isNull(plain.headers.get('strict-transport-security'))
    const tls = await fetch(`${baseUrl()}/login`, { headers: { 'x-forwarded-proto': 'https' } })
    assert.match(tls.headers.get('strict-transport-security') ?? '', /^max-age=\d{7,}$/)
  })
})
