import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'

/*
| docs/api.md is the reference of the API's core (sign-in, products, sales, payments); the other
| domains' routes are in their own docs. It lacked POST /api/sales/{id}/refunds (only in
| docs/returns.md), so a reader of the API reference could not find how to refund a sale.
| Checked against the router: every route it lists exists with that method, and every route of
| the core's prefixes is listed.
*/
const CORE = ['/api/auth/', '/api/products', '/api/sales', '/api/payments']

function routerRoutes() {
  const all = Object.values(router.toJSON()).flat() as { pattern: string; methods: string[] }[]
  return all
    .filter((route) => route.pattern.startsWith('/api/'))
    .flatMap((route) => route.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${route.pattern.replace(/:(\w+)/g, '{$1}')}`))
}

/** The `METHOD /api/...` lines of the doc's code blocks (GET|PUT|DELETE written as one) */
function documentedRoutes() {
  const doc = readFileSync(app.makePath('docs/api.md'), 'utf8')
  const blocks = [...doc.matchAll(/```\n([\s\S]*?)```/g)].map((match) => match[1]).join('\n')
  return [...blocks.matchAll(/^([A-Z|]+)\s+(\/api\/\S+)/gm)].flatMap(([, methods, path]) => methods.split('|').map((method) => `${method} ${path}`))
}

test.group('docs/api.md', () => {
  test('every route it lists is one of the router, and every route of the core is listed', ({ assert }) => {
    const routes = routerRoutes()
    const documented = documentedRoutes()
    assert.isAbove(documented.length, 10)
    assert.deepEqual(documented.filter((route) => !routes.includes(route)), [], 'in docs/api.md, not in the router')
    const core = routes.filter((route) => CORE.some((prefix) => route.split(' ')[1].startsWith(prefix)))
    assert.deepEqual(core.filter((route) => !documented.includes(route)), [], 'in the router, missing from docs/api.md')
  })
})
