import { test } from '@japa/runner'
import { parseBody } from '#middleware/json_body_middleware'

test.group('JSON bodies', () => {
  test('every empty string becomes null, at any depth, in objects and arrays', ({ assert }) => {
    assert.deepEqual(parseBody('{"a":"","b":["",1,{"c":"","k":"x"}],"d":{"e":"","f":{"g":[""]}},"h":" "}'), {
      a: null,
      b: [null, 1, { c: null, k: 'x' }],
      d: { e: null, f: { g: [null] } },
      h: ' ',
    })
    assert.deepEqual(parseBody('["", "", 0, false]'), [null, null, 0, false])
  })

  test('a __proto__ key is taken out, as before, and pollutes nothing', ({ assert }) => {
    const body = parseBody('{"a":"","__proto__":{"admin":true},"b":[{"__proto__":{"admin":true},"c":""}]}') as any
    assert.deepEqual(JSON.parse(JSON.stringify(body)), { a: null, b: [{ c: null }] })
    assert.isUndefined(body.admin)
    assert.isUndefined(body.b[0].admin)
    assert.isUndefined(({} as any).admin)
  })
})
