import { test } from '@japa/runner'

/*
| public/'s files (app/middleware/static_files_middleware.ts): served with their validators to GET
| and HEAD under public/'s own entries, and nothing else is looked up on the file system.
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

    // (fetch() adds Cache-Control: no-cache to a conditional request, as the Fetch standard says)
    const again = await client.get('/css/app.css').header('if-none-match', etag!)
    again.assertStatus(304)

    const head = await fetch(`${baseUrl()}/js/app.js`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.match(head.headers.get('content-type') ?? '', /javascript/)
  })

  test('a missing file, a dot file, a write and a path outside public/ are not served from it', async ({ assert }) => {
    assert.equal((await fetch(`${baseUrl()}/css/missing.css`)).status, 404)
    assert.equal((await fetch(`${baseUrl()}/css/.hidden`)).status, 404)
    assert.equal((await fetch(`${baseUrl()}/css/app.css`, { method: 'POST' })).status, 404)
    // public/ itself is not a path of the site: its files are under their own folders only
    assert.equal((await fetch(`${baseUrl()}/public/css/app.css`)).status, 404)
    // A route beside them answers as before
    assert.equal((await fetch(`${baseUrl()}/health/live`)).status, 200)
  })
})
