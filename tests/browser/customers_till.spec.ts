import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD, type TestStore } from '#tests/fixtures'
import { createCustomer } from '#tests/functional/customers/helpers'
import { htmxIdle } from '#tests/browser/htmx_idle'

/**
 * The picker is in and settled (its search field took the focus, no request in flight) before
 * typing, so nothing swapped in later can take the typed text away
 */
function settledPicker(page: any) {
  return page.waitForFunction(() => {
    const doc = (globalThis as any).document
    return doc.activeElement?.id === 'customer-search' && !doc.querySelector('.htmx-request')
  })
}


/** The answers of requests matching `pattern` held on their way back until `release()` is called */
async function holdAnswers(page: any, pattern: string) {
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  await page.route(pattern, async (route: any) => {
    const answer = await route.fetch()
    await held
    await route.fulfill({ response: answer })
  })
  return () => release()
}

/** The cashier signed in at Register 1, its scripts loaded */
async function openTill(visit: any, fixture: TestStore) {
  const page = await visit('/login')
  await page.getByLabel('Email').fill(fixture.users.cashier.email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Register 1' }).click()
  await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
  return page
}

test.group('Till customers in Chromium', () => {
  test('F3 opens the customer picker; a typed name finds them, a tap puts them on the sale; a new one is created with a name', async ({ visit, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Scone', price: 300, barcode: '96385074', stock: 10 })
    const customer = await createCustomer(fixture, { name: 'Hedy Lamarr' })
    const page = await openTill(visit, fixture)

    const scanInput = page.getByLabel('Scan or search')
    await scanInput.fill('96385074')
    await scanInput.press('Enter')
    await page.locator('.cart-line', { hasText: 'Scone' }).waitFor()

    await htmxIdle(page)
    await page.keyboard.press('F3')
    const search = page.getByLabel('Find a customer')
    await search.waitFor()
    await settledPicker(page)
    await search.pressSequentially('hedy')
    await page.getByRole('button', { name: 'Add customer Hedy Lamarr' }).click()
    await page.getByTestId('cart-customer').filter({ hasText: 'Hedy Lamarr' }).waitFor()
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    assert.equal(sale.customer_id, customer.id)

    await page.getByRole('button', { name: 'Remove the customer from this sale' }).click()
    await page.getByTestId('cart-customer').filter({ hasText: 'No customer' }).waitFor()
    // A fresh page for the second picker (a cashier's reload keeps the cart)
    await page.reload()
    await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
    await page.getByTestId('cart-customer').filter({ hasText: 'No customer' }).waitFor()
    await htmxIdle(page)
    await page.keyboard.press('F3')
    await settledPicker(page)
    await page.getByLabel('Name').fill('Walk-in Wu')
    await page.waitForFunction(() => (globalThis as any).document.getElementById('new-customer-name')?.value === 'Walk-in Wu')
    await page.getByRole('button', { name: 'Create and add to sale' }).click()
    await page.getByTestId('cart-customer').filter({ hasText: 'Walk-in Wu' }).waitFor()
    const created = await db.from('customers').where({ store_id: fixture.store.id, name: 'Walk-in Wu' }).firstOrFail()
    assert.equal((await db.from('sales').where('id', sale.id).first()).customer_id, created.id)
  })

  test('F3 pressed while a scan swaps the cart in waits for the new Customer button and opens the picker', async ({ visit }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Scone', price: 300, barcode: '96385074', stock: 10 })
    const page = await openTill(visit, fixture)
    await htmxIdle(page)
    // The key comes in the very instant the scanned cart has been swapped in, before htmx has
    // wired its buttons (they are wired when the swap settles): the worst moment, every time
    await page.evaluate(() => {
      const doc = (globalThis as any).document
      const press = (event: any) => {
        if (event.detail?.pathInfo?.requestPath !== '/till/scan') return
        doc.body.removeEventListener('htmx:afterSwap', press)
        doc.dispatchEvent(new (globalThis as any).KeyboardEvent('keydown', { key: 'F3', bubbles: true, cancelable: true }))
      }
      doc.body.addEventListener('htmx:afterSwap', press)
      // What happened to the picker, said if it does not stay (a race seen once in CI, under load)
      const log: string[] = ((globalThis as any).matchesLog = [])
      const note = (what: string) => log.push(`${Math.round(performance.now())} ${what}`)
      for (const name of ['htmx:beforeRequest', 'htmx:afterRequest', 'htmx:afterSwap', 'htmx:oobAfterSwap', 'keydown', 'click']) {
        doc.addEventListener(name, (event: any) => note(`${name} ${event.detail?.pathInfo?.requestPath ?? event.key ?? event.target?.textContent?.trim().slice(0, 20) ?? ''} ${event.detail?.xhr?.status ?? ''}`), true)
      }
      let shown: any = null
      new (globalThis as any).MutationObserver(() => {
        const matches = doc.getElementById('matches')
        const now = [matches, matches?.textContent.trim().slice(0, 30)]
        if (shown && now[0] === shown[0] && now[1] === shown[1]) return
        shown = now
        note(`#matches: ${now[1]}`)
      }).observe(doc.body, { childList: true, subtree: true })
    })
    const scanInput = page.getByLabel('Scan or search')
    await scanInput.fill('96385074')
    await scanInput.press('Enter')
    await page.locator('.cart-line', { hasText: 'Scone' }).waitFor()
    await page.getByLabel('Find a customer').waitFor({ timeout: 5000 })
    // ... and it stays (the emptied scan field's late search answers 204: nothing is swapped)
    await page.waitForTimeout(400)
    await page.getByLabel('Find a customer').waitFor({ timeout: 100 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${(await page.evaluate(() => (globalThis as any).matchesLog)).join('\n')}`)
    })
  })
  test('a search answered after the Customer button opened the picker leaves the picker shown', async ({ visit }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Scone', price: 300, barcode: '96385074', stock: 10 })
    const page = await openTill(visit, fixture)
    await htmxIdle(page)
    // The search of what is typed is held on its way back until the picker is in
    const release = await holdAnswers(page, '**/till/search?*')
    const sent = page.waitForRequest('**/till/search?*')
    await page.getByLabel('Scan or search').fill('Sco')
    await sent
    await page.getByRole('button', { name: /^Customer/ }).click()
    await page.getByLabel('Find a customer').waitFor()
    const answered = page.waitForEvent('requestfinished', (request: any) => request.url().includes('/till/search'))
    release()
    await answered
    await htmxIdle(page)
    await page.getByLabel('Find a customer').waitFor({ timeout: 100 })
  })
  test('a search answered with nothing (204) while the picker is on its way leaves the picker to come', async ({ visit }) => {
    const fixture = await createStore()
    const page = await openTill(visit, fixture)
    await htmxIdle(page)
    // The picker's answer held until a search sent after it has answered 204 (a code too short to search)
    const release = await holdAnswers(page, '**/till/customers')
    const sent = page.waitForRequest('**/till/customers')
    await page.getByRole('button', { name: /^Customer/ }).click()
    await sent
    const empty = page.waitForResponse((response: any) => response.url().includes('/till/search') && response.status() === 204)
    await page.getByLabel('Scan or search').fill('x')
    await empty
    release()
    await page.getByLabel('Find a customer').waitFor({ timeout: 5000 })
  })
})

