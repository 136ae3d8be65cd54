import { test } from '@japa/runner'

/*
| The browser's files (app/platform/static_assets.ts): public/'s and the vendored scripts, served
| with their validators to GET and HEAD, a year in the browser's cache under the URL a page names
| them by (with their version), and nothing else looked up on the file system.
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Static files', () => {
  test('a file of public/ is served with its type and validators, and a 304 to a client that has it', async ({ assert, client }) => {
    const first = await fetch(`${baseUrl()}/css/app.css`)
    assert.equal(first.status, 200)
    assert.match(first.headers.get('content-type') ?? '', /^text\/css/)
    const etag = first.headers.get('etag')
    assert.exists(etag)
    assert.include(await first.text(), '{')
    // Named without its version (a module's import does): asked again each time
    assert.equal(first.headers.get('cache-control'), 'no-cache')

    // (fetch() adds Cache-Control: no-cache to a conditional request, as the Fetch standard says)
    const again = await client.get('/css/app.css').header('if-none-match', `"other", ${etag!}`)
    again.assertStatus(304)

    const head = await fetch(`${baseUrl()}/js/app.js`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.match(head.headers.get('content-type') ?? '', /javascript/)
  })

  test('a page names each file with its version, which is cached for a year; another version is not', async ({ assert }) => {
    const page = await (await fetch(`${baseUrl()}/login`)).text()
    const urls = [...page.matchAll(/(?:src|href)="(\/(?:css|js|vendor)\/[^"]+)"/g)].map((match) => match[1])
    assert.includeMembers(urls.map((url) => url.split('?')[0]), ['/css/app.css', '/js/app.js', '/vendor/htmx.min.js', '/vendor/alpine.min.js'])
    for (const url of urls) {
      const version = new URL(url, baseUrl()).searchParams.get('v')
      assert.match(version ?? '', /^[\w-]{16}$/, url)
      const answer = await fetch(`${baseUrl()}${url}`)
      assert.equal(answer.status, 200, url)
      assert.equal(answer.headers.get('cache-control'), 'public, max-age=31536000, immutable', url)
      assert.equal(answer.headers.get('etag'), `"${version}"`, url)
      // A version the server does not have (a page from before a deploy): not kept for a year
      const stale = await fetch(`${baseUrl()}${url.split('?')[0]}?v=AAAAAAAAAAAAAAAA`)
      assert.equal(stale.headers.get('cache-control'), 'no-cache', url)
    }
  })

  test('a missing file, a dot file, a write and a path outside public/ are not served from it', async ({ assert }) => {
    assert.equal((await fetch(`${baseUrl()}/css/missing.css`)).status, 404)
    assert.equal((await fetch(`${baseUrl()}/css/.hidden`)).status, 404)
    assert.equal((await fetch(`${baseUrl()}/css/app.css`, { method: 'POST' })).status, 404)
    // public/ itself is not a path of the site: its files are under their own folders only
    assert.equal((await fetch(`${baseUrl()}/public/css/app.css`)).status, 404)
    // Out of public/ by an encoded ".." or backslash, or a path that does not decode
    for (const path of ['/css/..%2f..%2fpackage.json', '/js/%2e%2e/%2e%2e/.env', '/css/..%5c..%5cpackage.json', '/css/%E0%A4%A']) {
      const answer = await fetch(`${baseUrl()}${path}`)
      assert.oneOf(answer.status, [400, 404], path)
      assert.notInclude(await answer.text(), '"dependencies"', path)
    }
    assert.equal((await fetch(`${baseUrl()}/vendor/..%2f..%2fpackage.json`)).status, 404)
    // A route beside them answers as before
    assert.equal((await fetch(`${baseUrl()}/health/live`)).status, 200)
  })
})
