import { test } from '@japa/runner'
import { request as httpRequest } from 'node:http'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'

/*
| The API reads JSON only. A JSON body sent as text/plain (or with no Content-Type) was not read
| at all, and the validator answered "The items field must be defined" about a body that held
| items: now a 415 saying the body must be application/json. An address that is not valid
| percent-encoding answered a plain-text "Bad Request": under /api it is a JSON 400 too.
*/

/** A raw request: fetch would add a Content-Type of its own to a text body */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; type: string; json: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(process.env.PORT), method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => {
        let json: any = null
        try {
          json = JSON.parse(text)
        } catch {}
        resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), json, headers: res.headers })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

test.group('API: a body that is not JSON, an address that cannot be decoded', () => {
  test('a JSON body without the JSON Content-Type is a 415 naming application/json, and writes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const body = JSON.stringify({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash' })
    const auth = { authorization: `Bearer ${token}` }
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', null]) {
      const response = await send('POST', '/api/sales', { ...auth, ...(type ? { 'content-type': type } : {}), 'content-length': String(Buffer.byteLength(body)) }, body)
      assert.equal(response.status, 415, String(type))
      assert.match(response.type, /^application\/json/, String(type))
      assert.equal(response.json.errors[0].code, 'unsupported_media_type', String(type))
      assert.include(response.json.errors[0].message, 'application/json', String(type))
    }
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)

    // JSON with its type is read, charset or not; a request without a body needs no type
    const sold = await send('POST', '/api/sales', { ...auth, 'content-type': 'application/json; charset=utf-8' }, body)
    assert.equal(sold.status, 201)
    const me = await send('GET', '/api/auth/me', auth)
    assert.equal(me.status, 200)
    const out = await send('POST', '/api/auth/logout', auth)
    assert.isBelow(out.status, 300)
  })

  test('an address under /api that is not valid percent-encoding is a JSON 400', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    for (const path of ['/api/sales/%ZZ', '/api/products/%E0%A4%A']) {
      const response = await send('GET', path, { authorization: `Bearer ${token}` })
      assert.equal(response.status, 400, path)
      assert.match(response.type, /^application\/json/, path)
      assert.equal(response.json?.errors?.[0]?.code, 'bad_url', path)
    }
  })

  test('an address no one can decode is answered with the headers every answer carries, its policy and request id too', async ({ assert }) => {
    const page = await send('GET', '/backoffice/products', {})
    for (const path of ['/api/sales/%ZZ', '/till/%E0%A4%A']) {
      const response = await send('GET', path, {})
      assert.equal(response.status, 400, path)
      for (const name of ['content-security-policy', 'permissions-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']) {
        assert.isString(response.headers[name], `${path}: ${name}`)
      }
      assert.equal(response.headers['permissions-policy'], page.headers['permissions-policy'])
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/)
    }
  })
})
