import { test } from '@japa/runner'
import { apiToken, createProduct, createStore } from '#tests/fixtures'

/*
| A method the API does not take on an address it knows (PATCH /api/products/{id}, where a product
| is changed by PUT) answers 405 with an Allow header of the methods it does take and a JSON error,
| not the 404 of an address that does not exist: a client sending PATCH was told that the product
| did not exist.
*/

const allowOf = (response: any) =>
  String(response.header('allow') ?? '')
    .split(',')
    .map((method) => method.trim())
    .filter(Boolean)
    .sort()

test.group('API: a method not allowed on a known address', () => {
  test('answers 405 method_not_allowed with the methods it takes in Allow, signed in or not', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.manager)

    const patched = await client.patch(`/api/products/${product.id}`).bearerToken(token).json({ price: 1200 })
    patched.assertStatus(405)
    assert.deepEqual(allowOf(patched), ['DELETE', 'GET', 'HEAD', 'PUT'])
    assert.equal(patched.body().errors[0].code, 'method_not_allowed')
    assert.include(patched.body().errors[0].message, 'PATCH')
    assert.include(String(patched.header('content-type')), 'application/json')
    // With the headers of every answer of the API
    assert.include(String(patched.header('cache-control')), 'no-store')
    assert.isString(patched.header('x-request-id'))
    // Nothing changed
    assert.equal((await client.get(`/api/products/${product.id}`).bearerToken(token)).body().price, product.price)

    for (const [method, url, allowed] of [
      ['delete', '/api/products', ['GET', 'HEAD', 'POST']],
      ['get', '/api/sales/5/refunds', ['POST']],
      ['put', '/api/sales/5/cancel', ['POST']],
      ['get', '/api/bridge/pair', ['POST']],
      ['post', '/api/customers/5', ['GET', 'HEAD', 'PUT']],
    ] as const) {
      for (const signedIn of [true, false]) {
        const request = client[method](url)
        const response = await (signedIn ? request.bearerToken(token) : request)
        assert.equal(response.status(), 405, `${method} ${url}`)
        assert.deepEqual(allowOf(response), [...allowed], `${method} ${url}`)
        assert.equal(response.body().errors[0].code, 'method_not_allowed')
      }
    }
  })

  test('an address the API does not know stays a 404, whatever the method; pages are as they were', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    for (const [method, url] of [
      ['patch', '/api/nothing'],
      ['get', '/api/nothing/5'],
      // Not an id: no route of any method takes it
      ['patch', '/api/products/abc'],
      ['put', '/api/products/00'],
    ] as const) {
      const response = await client[method](url).bearerToken(token)
      assert.equal(response.status(), 404, `${method} ${url}`)
      assert.equal(response.body().errors[0].code, 'not_found')
      assert.isUndefined(response.header('allow'))
    }
    // Outside the API, a page's 404 is as it was
    const page = await client.patch('/login').redirects(0)
    assert.equal(page.status(), 404)
  })
})
