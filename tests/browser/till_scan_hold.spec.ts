import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { htmxIdle } from '#tests/browser/htmx_idle'
import { createProduct } from '#tests/fixtures'
import { cartLines, colaAndGumTill, heldRequests, wedgeScan } from '#tests/browser/till_page'

/*
| Park and Void pressed while a scan is still on its way (public/js/scanning.js): they wait for the
| scans typed before them, as a payment does, so the item lands in the sale it was scanned for and
| never in the next customer's
*/

/** The store's sales in order, each with its status and its lines ("Cola x1") */
async function salesWithLines(storeId: number) {
  const sales = await db.from('sales').where('store_id', storeId).orderBy('id').select('id', 'status')
  const items = await db.from('sale_items').whereIn('sale_id', sales.map((sale) => sale.id)).orderBy('id').select('sale_id', 'name', 'quantity')
  return sales.map((sale) => ({ status: sale.status, lines: items.filter((item) => item.sale_id === sale.id).map((item) => `${item.name} x${item.quantity}`) }))
}

test.group('Till: Park and Void wait for the scans on their way, in Chromium', () => {
  test('a sale parked while a scan is on its way holds that item when resumed; the next cart is empty', async ({ visit, browserContext, assert }) => {
    const { fixture, page } = await colaAndGumTill(visit, browserContext)
    await wedgeScan(page, '5000112637922')
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await htmxIdle(page)
    // Park's note is asked once, at the press: never again when the held park goes
    let asked = 0
    page.on('dialog', (dialog: any) => {
      asked++
      return dialog.accept('Mrs Smith')
    })

    // The Gum scanned on a slow network, and Park pressed before the scan got there
    const scans = await heldRequests(page, '**/till/scan')
    await wedgeScan(page, '4006381333931')
    await page.locator('[data-shortcut="F8"]').click()
    await page.getByText('Waiting for the items scanned to be added before parking').waitFor()
    await scans.release()
    await page.getByText('Sale parked.').waitFor({ timeout: 10_000 })
    await page.waitForTimeout(300)
    await htmxIdle(page)
    assert.equal(asked, 1)
    assert.deepEqual(await cartLines(page), [])
    assert.deepEqual(await salesWithLines(fixture.store.id), [
      { status: 'parked', lines: ['Cola x1', 'Gum x1'] },
      { status: 'open', lines: [] },
    ])

    // Resumed from Parked (F4): both items
    await page.keyboard.press('F4')
    await page.getByRole('button', { name: /Resume sale of \$13\.50/ }).click()
    await page.locator('.cart-line', { hasText: 'Gum' }).waitFor()
    assert.deepEqual(await cartLines(page), ['Cola x1', 'Gum x1'])
  })

  test('a sale voided while a scan is on its way: the item is not sold in the next customer\u2019s cart; a Void cancelled sends none', async ({ visit, browserContext, assert }) => {
    const { fixture, page } = await colaAndGumTill(visit, browserContext)
    await wedgeScan(page, '5000112637922')
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await htmxIdle(page)
    const scans = await heldRequests(page, '**/till/scan')

    // Void pressed while the Gum is on its way, and its "Void the whole sale?" cancelled: nothing is voided
    page.once('dialog', (dialog: any) => dialog.dismiss())
    await wedgeScan(page, '4006381333931')
    await page.locator('[data-shortcut="F12"]').click()
    await scans.release()
    await page.locator('.cart-line', { hasText: 'Gum' }).waitFor({ timeout: 10_000 })
    await page.waitForTimeout(300)
    await htmxIdle(page)
    assert.deepEqual(await salesWithLines(fixture.store.id), [{ status: 'open', lines: ['Cola x1', 'Gum x1'] }])

    // Void pressed, and confirmed, while a second Gum is on its way: the till says it waits, then voids all of it
    page.once('dialog', (dialog: any) => dialog.accept())
    await wedgeScan(page, '4006381333931')
    await page.locator('[data-shortcut="F12"]').click()
    await page.getByText('Waiting for the items scanned to be added before voiding').waitFor()
    await scans.release()
    await page.getByText('The sale was voided.').waitFor({ timeout: 10_000 })
    await page.waitForTimeout(300)
    await htmxIdle(page)
    assert.deepEqual(await cartLines(page), [])
    assert.deepEqual(await salesWithLines(fixture.store.id), [
      { status: 'voided', lines: ['Cola x1', 'Gum x2'] },
      { status: 'open', lines: [] },
    ])
  })

  test('the note typed at Park\u2019s prompt is kept with the parked sale, whether the park went at once or waited for a scan', async ({ visit, browserContext, assert }) => {
    const { fixture, page } = await colaAndGumTill(visit, browserContext)
    const notes = async () => (await db.from('sales').where({ store_id: fixture.store.id, status: 'parked' }).orderBy('id').select('note')).map((sale) => sale.note)
    await wedgeScan(page, '5000112637922')
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await htmxIdle(page)
    page.once('dialog', (dialog: any) => dialog.accept('Mrs Smith, back at 5'))
    await page.locator('[data-shortcut="F8"]').click()
    await page.getByText('Sale parked.').waitFor()
    await htmxIdle(page)
    assert.deepEqual(await notes(), ['Mrs Smith, back at 5'])

    await wedgeScan(page, '5000112637922')
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await htmxIdle(page)
    const scans = await heldRequests(page, '**/till/scan')
    page.once('dialog', (dialog: any) => dialog.accept('Mr Jones'))
    await wedgeScan(page, '4006381333931')
    await page.locator('[data-shortcut="F8"]').click()
    await page.getByText('Waiting for the items scanned to be added before parking').waitFor()
    await scans.release()
    await page.getByText('Sale parked.').waitFor({ timeout: 10_000 })
    await htmxIdle(page)
    assert.deepEqual(await notes(), ['Mrs Smith, back at 5', 'Mr Jones'])
    await page.keyboard.press('F4')
    await page.locator('.parked-row', { hasText: 'Mrs Smith, back at 5' }).waitFor()
  })

  test('a payment waiting for a scan that adds nothing is not sent: refused, unknown or lost, the sale is not completed without the item', async ({ visit, browserContext, assert }) => {
    const { fixture, page } = await colaAndGumTill(visit, browserContext)
    await createProduct(fixture, { name: 'Sold-out Mints', price: 150, barcode: '4006381333948', stock: 0 })
    await wedgeScan(page, '5000112637922')
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await htmxIdle(page)
    const scans = await heldRequests(page, '**/till/scan')
    const notPaid = page.getByText('Nothing was paid: an item scanned before it was not added')
    const onlyCola = async () => {
      assert.deepEqual(await salesWithLines(fixture.store.id), [{ status: 'open', lines: ['Cola x1'] }])
      assert.equal((await db.from('payments').where('store_id', fixture.store.id)).length, 0)
    }
    // Exact and Complete pressed while `code` is on its way; the scan answered (or lost) after
    const payWhileScanning = async (code: string, fail = false) => {
      await page.keyboard.press('F9')
      await page.getByRole('button', { name: 'Exact amount' }).click()
      await page.keyboard.press('F2')
      await wedgeScan(page, code)
      await page.getByRole('button', { name: /Complete sale/ }).click()
      await page.getByText('Waiting for the items scanned to be added before paying').waitFor()
      await scans.release({ fail })
    }

    // Refused by the server (none in stock): the refusal and what was not done are both said
    await payWhileScanning('4006381333948')
    await notPaid.waitFor({ timeout: 10_000 })
    await page.getByText(/Sold-out Mints|stock/i).first().waitFor()
    await htmxIdle(page)
    await onlyCola()

    // A code no product has (the matches say "Nothing matches")
    await page.keyboard.press('Escape')
    await htmxIdle(page)
    await payWhileScanning('4000000000006')
    await notPaid.waitFor({ timeout: 10_000 })
    await htmxIdle(page)
    await onlyCola()

    // Its answer lost on the network: the till goes offline, and back online with the sale still open
    await page.keyboard.press('Escape')
    await htmxIdle(page)
    const reloaded = page.waitForEvent('load', { timeout: 30_000 })
    await payWhileScanning('4006381333931', true)
    await reloaded
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await onlyCola()
  })

  test('a press made again while the scans are still on their way does not forget one of them that added nothing', async ({ visit, browserContext, assert }) => {
    const { fixture, page } = await colaAndGumTill(visit, browserContext)
    await createProduct(fixture, { name: 'Sold-out Mints', price: 150, barcode: '4006381333948', stock: 0 })
    await wedgeScan(page, '5000112637922')
    await page.locator('.cart-line', { hasText: 'Cola' }).waitFor()
    await htmxIdle(page)
    const scans = await heldRequests(page, '**/till/scan')

    // The Mints (refused: none in stock), then the Gum; Complete pressed while both are on their way
    await page.keyboard.press('F9')
    await page.getByLabel('Amount tendered').fill('20.00')
    await page.keyboard.press('F2')
    await wedgeScan(page, '4006381333948')
    await wedgeScan(page, '4006381333931')
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByText('Waiting for the items scanned to be added before paying').waitFor()
    // The Mints refused; Complete pressed again while the Gum is still on its way
    await scans.release()
    await page.getByText(/Sold-out Mints|stock/i).first().waitFor({ timeout: 10_000 })
    await htmxIdle(page, { requests: false })
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await scans.release()
    await page.getByText('Nothing was paid: an item scanned before it was not added').waitFor({ timeout: 10_000 })
    await page.waitForTimeout(300)
    await htmxIdle(page)
    assert.deepEqual(await salesWithLines(fixture.store.id), [{ status: 'open', lines: ['Cola x1', 'Gum x1'] }])
    assert.equal((await db.from('payments').where('store_id', fixture.store.id)).length, 0)
  })
})
