import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import { verifyChains } from '#sales/chain_verifier'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline, shownEmpty, waiting } from './offline/till_device.js'
import { scannerKeys } from '#tests/browser/till_page'

/*
| The offline till end to end: a real server process killed and started again, a real Chromium
| with a profile on disk, the real database. 20 sales made offline (across a reload and a closed
| browser) reach the books once each, with the register's next numbers, and every register's
| chain verifies (audit:verify too).
*/

const PORT = Number(process.env.PORT ?? 3334) + 31
const run = promisify(execFile)

async function onlineSale(page: any, code: string) {
  const input = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
  await input.fill(code)
  await input.press('Enter')
  await page.locator('#cart-panel .cart-line').first().waitFor()
  await page.keyboard.press('F9')
  await page.getByRole('button', { name: 'Cash', exact: true }).click()
  await page.getByLabel('Amount tendered').fill('20.00')
  await page.getByRole('button', { name: /Complete sale/ }).click()
  await page.getByTestId('change-due').or(page.getByText('No change due.')).waitFor()
}

/** Synced, reloaded, online again */
function backOnline(page: any) {
  return page.waitForFunction(() => {
    const doc = (globalThis as any).document
    return doc.body.dataset.offlineReady === 'yes' && !doc.querySelector('#offline-till:not([hidden])')
  }, null, { timeout: 30_000 })
}

async function salesOf(registerId: number) {
  return db.from('sales').where({ register_id: registerId, status: 'completed' }).orderBy('number').select('number', 'channel', 'client_uuid', 'total')
}

test.group('Offline till in Chromium', () => {
  test('sells with the server killed, across a reload and a closed browser, then syncs each sale once', async ({ assert, cleanup }) => {
    const fixture = await createStore({ cashRounding: 5 })
    // No discount limit: the cashier's sale at 100% off below (the limit offline: offline_pricing.spec.ts)
    await db.from('stores').where('id', fixture.store.id).update({ discount_limit: 10_000 })
    const cola = await createProduct(fixture, { name: 'Cola 330ml', price: 1000, barcode: '5000112637922', stock: 50 })
    const gum = await createProduct(fixture, { name: 'Mint Gum', sku: 'MG-77', price: 249, barcode: '4006381333931', stock: 50 })
    const { server, till: browser, page: signedIn } = await openTill(fixture, PORT, cleanup)
    let page = signedIn

    // One sale online first, and the server killed right after: the offline sales continue the
    // number and hash its receipt carried
    await onlineSale(page, '5000112637922')
    // The cashier is typing a code as the server dies: the live search of what is typed fails and
    // the till turns to its offline screen, maybe in the middle of the keystrokes. The whole code goes
    // on in the offline scan field (screen.js carryTypedScan): its start stayed in the hidden online
    // field, and its end alone was scanned offline, a code of its own
    const scan = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await scan.fill('40063813')
    await server.kill()
    await page.keyboard.type('33931')
    await offline(page).waitFor({ timeout: 20_000 })
    const offlineScan = offline(page).getByLabel('Scan or search')
    assert.equal(await offlineScan.inputValue(), '4006381333931')
    assert.equal(await scan.inputValue(), '')
    await offlineScan.press('Enter')
    await offline(page).getByRole('button', { name: 'Remove Mint Gum' }).click()
    await offline(page).getByText('Scan a product or tap one').waitFor()
    assert.isTrue(await page.locator('[data-online-only]').first().isDisabled())
    // Drawn before it is shown (till.js): visible means drawn, and it was never visible empty
    assert.include(await offline(page).textContent(), 'Not while offline')
    assert.equal(await shownEmpty(page), 0)

    // A scan draws only the line it adds or changes, the totals and the payment panel: what it
    // draws equals the whole cart drawn again (a cart discount applied redraws it whole)
    const cartShown = () =>
      page.evaluate(() => {
        const cart = (globalThis as any).document.getElementById('offline-cart')
        const texts = [...cart.querySelectorAll('.cart-lines, .totals, [data-testid="due"], [aria-label="Quick amounts"]')].map((el: any) => el.innerText)
        return [...texts, ...[...cart.querySelectorAll('input[type="number"]')].map((input: any) => input.value)].join(' | ')
      })
    const scanOffline = async (code: string, lines: number) => {
      await offline(page).getByLabel('Scan or search').fill(code)
      await offline(page).getByLabel('Scan or search').press('Enter')
      await offline(page).locator('.cart-line').nth(lines - 1).waitFor()
    }
    const cartDiscount = async (percent: string) => {
      await offline(page).getByLabel('Cart discount type').selectOption('percent')
      await offline(page).getByLabel('Cart discount value').fill(percent)
      await offline(page).getByLabel('Cart discount').getByRole('button', { name: 'Apply' }).click()
    }
    await scanOffline('5000112637922', 1)
    await scanOffline('4006381333931', 2)
    await scanOffline('5000112637922', 2)
    const quantityIs = (name: string, value: string) => page.waitForFunction(([label, expected]) => (globalThis as any).document.querySelector(`#offline-cart [aria-label="${label}"]`)?.value === expected, [`Quantity of ${name}`, value])
    await quantityIs('Cola 330ml', '2')
    const scanned = await cartShown()
    assert.include(scanned, '$22.49')
    await cartDiscount('0')
    assert.equal(await cartShown(), scanned)
    await cartDiscount('10')
    // By its SKU typed in another case, as online (app/catalog/sku.ts)
    await scanOffline('mg-77', 2)
    await quantityIs('Mint Gum', '2')
    const discounted = await cartShown()
    await cartDiscount('10')
    assert.equal(await cartShown(), discounted)
    await offline(page).getByRole('button', { name: 'Remove Cola 330ml' }).click()
    await offline(page).getByRole('button', { name: 'Remove Mint Gum' }).click()
    await offline(page).getByText('Scan a product or tap one').waitFor()
    const numbers = []
    numbers.push(await sellOffline(page, ['5000112637922', '4006381333931'], { cash: '20.00' }))
    numbers.push(await sellOffline(page, ['4006381333931'], { card: { code: 'AUTH-1' } }))
    for (let i = 0; i < 4; i++) numbers.push(await sellOffline(page, ['4006381333931']))
    assert.equal(await waiting(page, 6), 6)
    assert.include(await page.locator('#offline-status').textContent(), 'Offline: 6 sales waiting to sync')

    // A reload with the server still down: the service worker serves the till
    await page.reload()
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await shownEmpty(page), 0)
    numbers.push(await sellOffline(page, ['5000112637922', '5000112637922'], { card: { amount: '5.00', code: 'SPLIT-1' }, cash: '20.00' }))
    // Search by word prefixes, and the grid
    // A formula is no search for the word "3" (it listed Cola 330ml): its operators must be in the name
    await offline(page).getByLabel('Scan or search').fill('33')
    await offline(page).getByRole('button', { name: /Cola 330ml ·/ }).waitFor()
    await offline(page).getByLabel('Scan or search').fill('=3+3')
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#offline-till .matches').children.length === 0, undefined, { timeout: 10_000 })
    await offline(page).getByLabel('Scan or search').fill('min gu')
    await offline(page).getByRole('button', { name: /Mint Gum/ }).first().click()
    await offline(page).getByRole('button', { name: 'Add Cola 330ml' }).click()
    await offline(page).getByRole('button', { name: 'Discount on Cola 330ml' }).click()
    await offline(page).getByLabel('Discount value for Cola 330ml').fill('10')
    await offline(page).getByRole('button', { name: 'Apply' }).first().click()
    await offline(page).locator('.badge', { hasText: '$1.00' }).waitFor()
    await offline(page).getByRole('button', { name: 'Cash', exact: true }).click()
    await offline(page).getByRole('button', { name: 'Exact amount' }).click()
    await offline(page).getByRole('button', { name: 'Complete sale' }).click()
    numbers.push(Number((await offline(page).getByTestId('sale-number').textContent())!.slice(1)))
    await offline(page).getByRole('button', { name: 'New sale' }).click()
    for (let i = 0; i < 4; i++) numbers.push(await sellOffline(page, ['4006381333931']))

    // The browser closed and opened again, the server still down
    await browser.close()
    await browser.open()
    page = await browser.page()
    await page.goto(`${server.url}/till`)
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await shownEmpty(page), 0)
    assert.equal(await waiting(page, 12), 12)
    for (let i = 0; i < 8; i++) numbers.push(await sellOffline(page, ['4006381333931']))
    // A sale of nothing to pay (100% off) completes with a cash payment of nothing, as online (it
    // was refused offline: "void it")
    await scanOffline('4006381333931', 1)
    await cartDiscount('100')
    await offline(page).getByRole('button', { name: 'Cash', exact: true }).click()
    await offline(page).getByRole('button', { name: 'Complete sale' }).click()
    await offline(page).getByTestId('offline-receipt').waitFor()
    numbers.push(Number((await offline(page).getByTestId('sale-number').textContent())!.replace('#', '')))
    await offline(page).getByRole('button', { name: 'New sale' }).click()
    // 21 sales offline, numbered on from the online one
    assert.deepEqual(numbers, Array.from({ length: 21 }, (_, i) => i + 2))
    assert.equal(await waiting(page, 21), 21)
    assert.lengthOf(await salesOf(fixture.register.id), 1)

    // The server is back: the queue syncs by itself and the till goes back online
    await server.start()
    await backOnline(page)
    const sales = await salesOf(fixture.register.id)
    // Exactly the 21 offline sales, each once, numbered 2..22 after the online one
    assert.deepEqual(sales.map((s) => s.number), Array.from({ length: 22 }, (_, i) => i + 1))
    assert.deepEqual(sales.map((s) => s.channel), ['till', ...Array(21).fill('offline')])
    assert.equal(new Set(sales.map((s) => s.client_uuid)).size, 22)
    assert.equal(Number(sales.at(-1)!.total), 0)
    const [verdict] = (await verifyChains(fixture.store.id)).filter((v) => v.registerId === fixture.register.id)
    assert.isTrue(verdict.ok, verdict.problem ?? '')
    // audit:verify, as an operator runs it, passes
    const { stdout } = await run(process.execPath, ['ace.js', 'audit:verify', `--store=${fixture.store.id}`])
    assert.include(stdout, `Register 1 (register ${fixture.register.id}): 22 record(s), intact`)
    // The stock ledger: online 1 cola; offline 1+2+1 cola and 1+1+4+1+4+8+1 gum
    const stock = await db.from('products').whereIn('id', [cola.id, gum.id]).orderBy('id').select('stock')
    assert.deepEqual(stock.map((r) => Number(r.stock)), [50 - 5, 50 - 20])
    const moved = await db.from('stock_movements').whereIn('product_id', [cola.id, gum.id]).groupBy('product_id').orderBy('product_id').select('product_id').sum('quantity as total')
    // The ledger (the first stock of 50, then every sale) adds up to the stock
    assert.deepEqual(moved.map((r) => Number(r.total)), [45, 30])
    assert.deepEqual(browser.violations, [])
  }).timeout(240_000)

  test('a code scanned into the amount tendered offline is a scan of the sale, never an amount', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Cola 330ml', price: 1000, barcode: '5000112637922', stock: 50 })
    // A shelf label's short code, which reads as an amount
    await createProduct(fixture, { name: 'Bananas', price: 120, barcode: '4011', stock: 50 })
    const { server, till: browser, page } = await openTill(fixture, PORT, cleanup)
    await server.kill()
    const scan = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await scan.fill('5000112637922', { timeout: 2000 }).then(() => scan.press('Enter', { timeout: 2000 })).catch(() => {})
    await offline(page).waitFor({ timeout: 20_000 })
    const till = offline(page)
    if (!(await till.locator('.cart-line', { hasText: 'Cola 330ml' }).count())) {
      await till.getByLabel('Scan or search').fill('5000112637922')
      await till.getByLabel('Scan or search').press('Enter')
    }
    await till.locator('.cart-line', { hasText: 'Cola 330ml' }).waitFor()

    await till.getByLabel('Amount tendered').focus()
    await scannerKeys(page, '4011')
    await till.locator('.cart-line', { hasText: 'Bananas' }).waitFor({ timeout: 10_000 })
    assert.equal(await till.getByTestId('offline-receipt').count(), 0)
    assert.equal(await till.getByLabel('Amount tendered').inputValue(), '')
    const due = (await till.getByTestId('due').textContent())!.trim()

    // Typed by hand, the amount is still an amount
    await till.getByLabel('Amount tendered').click()
    await page.keyboard.type('20.00', { delay: 120 })
    await page.keyboard.press('Enter')
    await till.getByTestId('offline-receipt').waitFor()
    const total = Math.round(Number(due.replace(/[^0-9.]/g, '')) * 100)
    assert.equal(await till.getByTestId('change-due').textContent(), `$${((2000 - total) / 100).toFixed(2)}`)
    assert.deepEqual(await till.locator('.receipt td:first-child').allTextContents(), ['1 × Cola 330ml', '1 × Bananas'])
    assert.deepEqual(browser.violations, [])
  }).timeout(120_000)
})
