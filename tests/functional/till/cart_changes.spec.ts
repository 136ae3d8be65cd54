import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { createCustomer } from '#tests/functional/customers/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| A cart change answered with only what it changed (app/sales/cart_screen.ts): the page sends the
| version of the cart it shows (X-Cart-Version, from data-cart-version); a change that starts from
| that version and touches only lines gets those lines, the totals and the payment panel, all out
| of band, and HX-Reswap: none. Anything else gets the whole panel.
*/

interface Shown {
  cartId?: number
  version?: string
}

function till(client: any, fixture: TestStore, method: 'post' | 'patch' | 'delete', url: string, shown: Shown = {}) {
  let request = client[method](url)
    .loginAs(fixture.users.cashier)
    .withCsrfToken()
    .withCookie(REGISTER_COOKIE, String(fixture.register.id))
    .header('HX-Request', 'true')
  if (shown.cartId) request = request.header('X-Cart-Id', String(shown.cartId))
  if (shown.version) request = request.header('X-Cart-Version', shown.version)
  return request
}

/** What public/js/app.js would send next: the cart's id from a whole panel, the version from any answer */
function screenAfter(html: string, before: Shown = {}): Shown {
  const cartId = Number(/id="cart-panel"[^>]*data-sale-id="(\d+)"/.exec(html)?.[1]) || before.cartId
  const version = /data-cart-version="([^"]+)"/.exec(html)?.[1]
  return { cartId, version }
}

const isWholePanel = (html: string) => html.includes('id="cart-panel"')

async function barcodeOf(productId: number) {
  return (await db.from('product_barcodes').where('product_id', productId).first()).code as string
}

async function lineOf(cartId: number, productId: number) {
  return db.from('sale_items').where({ sale_id: cartId, product_id: productId }).firstOrFail()
}

test.group('Till: a cart change answered with what it changed', () => {
  test('a scan appends its new line, a scan of a product in the cart swaps only that line; totals and payment come along', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Changes Tea', price: 250 })
    const jam = await createProduct(fixture, { name: 'Changes Jam', price: 400 })

    const first = await till(client, fixture, 'post', '/till/scan').form({ code: await barcodeOf(tea.id) })
    first.assertStatus(200)
    assert.isTrue(isWholePanel(first.text()), 'no version sent: the whole panel')
    let shown = screenAfter(first.text())
    assert.isString(shown.version)

    const added = await till(client, fixture, 'post', '/till/scan', shown).form({ code: await barcodeOf(jam.id) })
    added.assertStatus(200)
    added.assertHeader('hx-reswap', 'none')
    const addedHtml = added.text()
    assert.isFalse(isWholePanel(addedHtml))
    const jamLine = await lineOf(shown.cartId!, jam.id)
    assert.match(addedHtml, new RegExp(`<ol hx-swap-oob="beforeend:#cart-lines">\\s*<li id="cart-line-${jamLine.id}" class="cart-line"`))
    assert.notInclude(addedHtml, 'Changes Tea', 'the unchanged line is not sent again')
    assert.match(addedHtml, /<div id="cart-totals"[^>]* hx-swap-oob="true"[^>]*>/)
    assert.match(addedHtml, /<section id="cart-pay"[^>]* hx-swap-oob="true"/)
    // A notice of the panel (a declined card) was about what came before: it is cleared
    assert.include(addedHtml, `<div id="cart-notice" hx-swap-oob="true" data-cart-base="${shown.version}"></div>`)
    // Each part names the version the changes start from: a screen showing another one by the time
    // they arrive draws the cart again (public/js/app.js); the totals, with the new version, come last
    assert.equal(addedHtml.match(/data-cart-base="([^"]+)"/g)!.length, 4)
    assert.deepEqual([...new Set([...addedHtml.matchAll(/data-cart-base="([^"]+)"/g)].map((m) => m[1]))], [shown.version!])
    assert.isAbove(addedHtml.indexOf('id="cart-totals"'), addedHtml.indexOf('id="cart-pay"'))
    assert.include(addedHtml, '$6.50', 'the new total')
    assert.include(addedHtml, 'Cart, 2 lines')
    const next = screenAfter(addedHtml, shown)
    assert.notEqual(next.version, shown.version)
    shown = next

    const again = await till(client, fixture, 'post', '/till/scan', shown).form({ code: await barcodeOf(tea.id) })
    again.assertHeader('hx-reswap', 'none')
    const teaLine = await lineOf(shown.cartId!, tea.id)
    assert.equal(teaLine.quantity, 2)
    assert.match(again.text(), new RegExp(`<li id="cart-line-${teaLine.id}" class="cart-line" data-line="${teaLine.id}" x-data="cartLine" hx-swap-oob="true" data-cart-base="${shown.version}">`))
    assert.include(again.text(), 'value="2"')
    assert.notInclude(again.text(), 'beforeend')
    assert.notInclude(again.text(), 'Changes Jam')
    assert.include(again.text(), '$9.00')
  })

  test('the version the answer gives is the one a whole panel of the same cart shows', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Same Version Soap', price: 199 })
    const first = await till(client, fixture, 'post', '/till/scan').form({ code: await barcodeOf(product.id) })
    const second = await till(client, fixture, 'post', '/till/scan', screenAfter(first.text())).form({ code: await barcodeOf(product.id) })
    second.assertHeader('hx-reswap', 'none')
    // The till's page draws the same cart from its rows read back (models), not from the change's lines
    const page = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    page.assertStatus(200)
    assert.equal(screenAfter(page.text()).version, screenAfter(second.text()).version)
  })

  test('a screen that shows another version of the cart gets the whole panel', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Stale Screen Rice' })
    const code = await barcodeOf(product.id)
    const first = await till(client, fixture, 'post', '/till/scan').form({ code })
    const shown = screenAfter(first.text())
    // Another tab of the same register scans meanwhile: this screen's version is no longer the cart's
    await till(client, fixture, 'post', '/till/scan', { cartId: shown.cartId }).form({ code })
    const stale = await till(client, fixture, 'post', '/till/scan', shown).form({ code })
    stale.assertStatus(200)
    assert.isTrue(isWholePanel(stale.text()))
    assert.isUndefined(stale.headers()['hx-reswap'])
    assert.include(stale.text(), 'value="3"')
    const forged = await till(client, fixture, 'post', '/till/scan', { cartId: shown.cartId, version: 'x'.repeat(500) }).form({ code })
    assert.isTrue(isWholePanel(forged.text()))
  })

  test('removing a line deletes it from the screen; removing the last one draws the empty cart', async ({ client, assert }) => {
    const fixture = await createStore()
    const bread = await createProduct(fixture, { name: 'Remove Bread' })
    const milk = await createProduct(fixture, { name: 'Remove Milk' })
    let shown = screenAfter((await till(client, fixture, 'post', '/till/scan').form({ code: await barcodeOf(bread.id) })).text())
    shown = screenAfter((await till(client, fixture, 'post', '/till/scan', shown).form({ code: await barcodeOf(milk.id) })).text(), shown)
    const breadLine = await lineOf(shown.cartId!, bread.id)
    const milkLine = await lineOf(shown.cartId!, milk.id)

    const removed = await till(client, fixture, 'delete', `/till/items/${breadLine.id}`, shown)
    removed.assertHeader('hx-reswap', 'none')
    assert.include(removed.text(), `<li id="cart-line-${breadLine.id}" hx-swap-oob="delete"></li>`)
    assert.notInclude(removed.text(), 'Remove Milk')
    shown = screenAfter(removed.text(), shown)

    const emptied = await till(client, fixture, 'delete', `/till/items/${milkLine.id}`, shown)
    assert.isTrue(isWholePanel(emptied.text()))
    assert.include(emptied.text(), 'Scan a product or tap one to start a sale')
  })

  test('a change of more than lines (the customer, the cart discount) draws the whole panel', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Whole Panel Pears', price: 1000 })
    const customer = await createCustomer(fixture, { name: 'Ada Panel' })
    let shown = screenAfter((await till(client, fixture, 'post', '/till/scan').form({ code: await barcodeOf(product.id) })).text())

    const attached = await till(client, fixture, 'post', '/till/customer', shown).form({ customer_id: customer.id })
    attached.assertStatus(200)
    assert.isTrue(isWholePanel(attached.text()))
    assert.include(attached.text(), 'Ada Panel')
    // Nothing off yet reads $0.00, not −$0.00
    assert.include(attached.text(), 'data-testid="discounts">$0.00')
    shown = screenAfter(attached.text(), shown)

    const discounted = await till(client, fixture, 'post', '/till/discount', shown).form({ discount_type: 'percent', discount_value: '10' })
    discounted.assertStatus(200)
    assert.isTrue(isWholePanel(discounted.text()))
    assert.include(discounted.text(), 'data-testid="discounts">−$1.00')
    shown = screenAfter(discounted.text(), shown)

    // Back to lines only: the line is swapped, and the cart discount's share of it is in the totals
    const more = await till(client, fixture, 'patch', `/till/items/${(await lineOf(shown.cartId!, product.id)).id}`, shown).form({ quantity: 2 })
    more.assertHeader('hx-reswap', 'none')
    assert.include(more.text(), 'data-testid="discounts">−$2.00')
    assert.include(more.text(), 'value="2"')
  })
})
