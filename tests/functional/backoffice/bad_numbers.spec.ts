import { test } from '@japa/runner'
import { createProduct, createStore, PINS } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import CheckoutService from '#sales/checkout_service'

/*
| The till's htmx endpoints and the back-office forms, sent the numbers a typo, a script or a
| tampered form sends: never a 500. Each form is posted with every number field set to one bad
| value at a time, and every id in a URL replaced by a bad one.
*/

const BAD_NUMBERS = ['9'.repeat(300), '1e400', '4294967296', '-1', '1.5', 'abc', 'true', '9999999.999', '0']
const BAD_IDS = ['9'.repeat(300), '4294967296', '99999999', '0', '1e3']

// Number fields of the till's and the back office's forms
const NUMBER_FIELDS = [
  'quantity', 'product_id', 'price', 'cost', 'stock', 'category_id', 'position', 'discount_value', 'amount', 'tendered', 'float',
  'register_id', 'user_id', 'customer_id', 'cash_rounding', 'threshold', 'low_stock_threshold', 'to_store_id', 'port', 'printer_id',
  'pulse_on_ms', 'pulse_off_ms', 'columns', 'sale_item_id', 'counted', 'unit_cost', 'page',
]

function formWith(field: string, value: string): Record<string, unknown> {
  return {
    [field]: value,
    // What the forms send along, so the number is what is wrong
    name: 'Probe', sku: 'PROBE-1', tax_class: 'standard', discount_type: 'amount', method: 'cash', pin: PINS.manager, manager_pin: PINS.manager,
    reason: 'damaged', supplier: 'Supplier', kind: 'cash_in', code: '123', q: 'a',
    items: [{ product_id: value, quantity: value, unit_cost: value, sale_item_id: value, counted: value }],
  }
}

const TILL_POSTS = ['/till/items', '/till/discount', '/till/payments', '/till/register', '/till/switch', '/till/customer', '/till/returns/no-receipt', '/till/shift/movements', '/till/shift/close']
const TILL_ID_ROUTES: [string, string][] = [
  ['patch', '/till/items/:id'], ['delete', '/till/items/:id'], ['post', '/till/items/:id/discount'], ['post', '/till/items/:id/price'],
  ['delete', '/till/payments/:id'], ['get', '/till/receipts/:id'], ['post', '/till/parked/:id/resume'], ['get', '/till/returns/:id'],
  ['post', '/till/returns/:id'], ['post', '/till/returns/:id/exchange'], ['get', '/till/shift/:id/z'], ['get', '/till/gateway-payments/:id'],
  ['get', '/till/receipts/:id/actions'], ['post', '/till/receipts/:id/reprint'],
]
const BACKOFFICE_POSTS = ['/backoffice/products', '/backoffice/categories', '/backoffice/stock/receipts', '/backoffice/stock/adjustments', '/backoffice/stock/transfers', '/backoffice/stores', '/backoffice/customers', '/backoffice/stores/switch']
const BACKOFFICE_ID_ROUTES: [string, string][] = [
  ['get', '/backoffice/products/:id/edit'], ['put', '/backoffice/products/:id'], ['get', '/backoffice/sales/:id'], ['get', '/backoffice/customers/:id'],
  ['put', '/backoffice/customers/:id'], ['get', '/backoffice/stock/receipts/:id'], ['get', '/backoffice/stock/transfers/:id'],
  ['post', '/backoffice/stock/transfers/:id/receive'], ['get', '/backoffice/products/:id/stock'], ['post', '/backoffice/products/:id/threshold'],
  ['get', '/backoffice/shifts/:id'], ['put', '/backoffice/stores/:id'], ['post', '/backoffice/stores/:id/staff'], ['post', '/backoffice/registers/:id/devices'],
  ['post', '/backoffice/sales/:id/void'], ['put', '/backoffice/categories/:id'], ['put', '/backoffice/users/:id'],
]

test.group('Till and back office: bad numbers are never a 500', () => {
  test('every number field of the till’s forms, and every id in its URLs', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 50 })
    await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, {
      lines: [{ productId: product.id, quantity: 1 }],
      payment: { method: 'cash' },
    })
    const failures: string[] = []
    const send = async (method: string, url: string, body?: Record<string, unknown>) => {
      let request = (client as any)[method](url).loginAs(fixture.users.manager).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true').redirects(0)
      if (body) request = request.form(body)
      const response = await request
      if (response.status() >= 500) failures.push(`${method.toUpperCase()} ${url} ${JSON.stringify(body ?? {}).slice(0, 80)}: ${response.status()}`)
    }
    // A line in the cart, so the item routes reach their checks
    await send('post', '/till/items', { product_id: String(product.id), quantity: '1' })
    for (const url of TILL_POSTS) for (const field of NUMBER_FIELDS) for (const value of BAD_NUMBERS.slice(0, 4)) await send('post', url, formWith(field, value))
    for (const [method, pattern] of TILL_ID_ROUTES) for (const id of BAD_IDS) await send(method, pattern.replace(':id', id), formWith('quantity', '1'))
    for (const value of BAD_NUMBERS) {
      await send('patch', '/till/items/1', { quantity: value })
      await send('post', '/till/discount', { discount_type: 'amount', discount_value: value })
      await send('post', '/till/discount', { discount_type: 'percent', discount_value: value })
      await send('post', '/till/payments', { method: 'cash', amount: value, tendered: value })
      await send('post', '/till/shift/movements', { kind: 'cash_in', amount: value })
    }
    assert.deepEqual(failures, [])
  }).timeout(120_000)

  test('every number field of the back office’s forms, and every id in its URLs', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { price: 1000, stock: 50 })
    const failures: string[] = []
    const send = async (method: string, url: string, body?: Record<string, unknown>) => {
      const action = method === 'put' || method === 'delete' ? `${url}?_method=${method.toUpperCase()}` : url
      let request = (method === 'get' ? client.get(action) : client.post(action)).loginAs(fixture.users.admin).withCsrfToken().redirects(0)
      if (body && method !== 'get') request = request.form(body)
      const response = await request
      if (response.status() >= 500) failures.push(`${method.toUpperCase()} ${url} ${JSON.stringify(body ?? {}).slice(0, 80)}: ${response.status()}`)
    }
    for (const url of BACKOFFICE_POSTS) for (const field of NUMBER_FIELDS) for (const value of BAD_NUMBERS.slice(0, 4)) await send('post', url, formWith(field, value))
    for (const [method, pattern] of BACKOFFICE_ID_ROUTES) for (const id of BAD_IDS) await send(method, pattern.replace(':id', id), formWith('quantity', '1'))
    for (const value of BAD_NUMBERS) {
      await send('get', `/backoffice/products?page=${value}&category_id=${value}`)
      await send('get', `/backoffice/sales?page=${value}`)
      await send('get', `/backoffice/customers?page=${value}`)
      await send('get', `/backoffice/reports?from=${value}&to=${value}`)
    }
    assert.deepEqual(failures, [])
  }).timeout(120_000)
})
