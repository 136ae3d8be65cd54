import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { verifyChains } from '#sales/chain_verifier'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline, waiting } from './offline/till_device.js'

/*
| The till's IndexedDB cleared under it (IndexedDB alone cleared from the browser's tools, or
| storage evicted on a device whose disk is full) while it sells offline, or while no till page is open. Its unsynced sales are
| gone with it: nothing can bring them back. What it must not do: fail every later payment with
| "The database connection is closing", say the lost sales still wait, stay offline with "Sync
| stopped" once the server answers, or come back as another device that its own register refuses
| ("in use on another till") until a manager releases it.
*/

const PORT = Number(process.env.PORT ?? 3334) + 38

function backOnline(page: any) {
  return page.waitForFunction(() => {
    const doc = (globalThis as any).document
    return doc.body.dataset.offlineReady === 'yes' && !doc.querySelector('#offline-till:not([hidden])')
  }, null, { timeout: 30_000 })
}

async function clearIndexedDb(till: any, page: any, origin: string) {
  const cdp = await till.context.newCDPSession(page)
  await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' })
  await cdp.detach()
}

const statusText = async (page: any) => (await page.locator('#offline-status').textContent()).replace(/\s+/g, ' ')

test.group('Offline till: its storage cleared', () => {
  test('cleared while offline: the till says the unsynced sales are lost, comes back online by itself as the same device, and sells', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, till, page } = await openTill(fixture, PORT, cleanup)
    const device = await page.evaluate(() => (globalThis as any).offlineTill.deviceId)

    await till.context.setOffline(true)
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await sellOffline(page, ['96385074']), 1)
    assert.equal(await waiting(page, 1), 1)

    await clearIndexedDb(till, page, server.url)
    // The next sale cannot be numbered (the register's head went with the storage): said plainly.
    // The till notices by the database's close event, or at the next scan, whichever comes first:
    // the scan field may be gone before the scan
    const screen = offline(page)
    const scan = screen.getByLabel('Scan or search')
    await scan.fill('96385074', { timeout: 2000 }).then(() => scan.press('Enter', { timeout: 2000 })).catch(() => {})
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('#offline-scan') || (globalThis as any).document.querySelector('#offline-till').innerText.includes('storage was cleared'), null, { timeout: 10_000 })
    const shown = (await screen.innerText()) + (await statusText(page))
    assert.notInclude(shown, 'connection is closing')
    assert.include(shown, "This till's offline storage was cleared")
    await page.locator('#offline-status[data-waiting="0"]').waitFor({ state: 'attached', timeout: 10_000 })
    assert.include(await statusText(page), '1 offline sale not synced was lost with it')

    // The network back: online by itself, on its own register (no "in use on another till")
    await till.context.setOffline(false)
    await backOnline(page)
    assert.equal(await page.evaluate(() => (globalThis as any).offlineTill.deviceId), device)
    assert.equal(await page.locator('#register-held').count(), 0)
    const register = await db.from('registers').where('id', fixture.register.id).first()
    assert.equal(register.lease_device_id, device)

    // Cleared again offline, the page reloaded: still the same device once the server answers
    await till.context.setOffline(true)
    await offline(page).waitFor({ timeout: 20_000 })
    await clearIndexedDb(till, page, server.url)
    await page.reload()
    await offline(page).waitFor({ timeout: 20_000 })
    await till.context.setOffline(false)
    await backOnline(page)
    assert.equal(await page.evaluate(() => (globalThis as any).offlineTill.deviceId), device)
    assert.equal(await page.locator('#register-held').count(), 0)
    // And it sells offline again from the register's head
    await till.context.setOffline(true)
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await sellOffline(page, ['96385074']), 1)
    await till.context.setOffline(false)
    await backOnline(page)
    const sales = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).select('number')
    assert.deepEqual(sales.map((s) => Number(s.number)), [1])
    for (const verdict of await verifyChains(fixture.store.id)) assert.isTrue(verdict.ok, verdict.problem ?? '')
    assert.deepEqual(till.violations, [])
  }).timeout(240_000)

  test('emptied while no till page is open (the browser evicts storage then): the next page says the unsynced sales were lost', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, till, page } = await openTill(fixture, PORT, cleanup)
    const device = await page.evaluate(() => (globalThis as any).offlineTill.deviceId)
    await till.context.setOffline(true)
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await sellOffline(page, ['96385074']), 1)
    assert.equal(await sellOffline(page, ['96385074']), 2)
    assert.equal(await waiting(page, 2), 2)
    // The till page closed, its storage emptied, then opened again with the server there
    await page.goto('about:blank')
    await clearIndexedDb(till, page, server.url)
    await till.context.setOffline(false)
    await page.goto(`${server.url}/till`)
    await backOnline(page)
    assert.equal(await page.evaluate(() => (globalThis as any).offlineTill.deviceId), device)
    // It said nothing: the two sales were gone without a word
    await page.locator('#offline-status', { hasText: 'lost with it' }).waitFor({ timeout: 10_000 })
    assert.include(await statusText(page), "This till's offline storage was cleared (by the browser, or its disk is full): 2 offline sales not synced were lost with it; tell a manager")
  }).timeout(180_000)
  test("the device's storage full: the sale is not saved, the till says why and keeps the cart; space back, it sells", async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { till, page } = await openTill(fixture, PORT, cleanup)
    await till.context.setOffline(true)
    await offline(page).waitFor({ timeout: 20_000 })
    // The browser refuses the till's writes as over its quota (Chromium gives a site a share of the
    // disk's free space: a full disk does this). Its quota override (CDP Storage.overrideQuotaForOrigin)
    // does not reach a persistent profile's IndexedDB here, so its writes raise the browser's error
    const storageFull = (full: boolean) =>
      page.evaluate((on) => {
        const store = (globalThis as any).IDBObjectStore.prototype
        store.realPut ??= store.put
        store.put = on
          ? function () {
              throw new (globalThis as any).DOMException('The quota has been exceeded.', 'QuotaExceededError')
            }
          : store.realPut
      }, full)
    await storageFull(true)
    const screen = offline(page)
    await screen.getByLabel('Scan or search').fill('96385074')
    await screen.getByLabel('Scan or search').press('Enter')
    await screen.locator('.cart-line').first().waitFor()
    await screen.getByRole('button', { name: 'Cash', exact: true }).click()
    await screen.getByRole('button', { name: 'Complete sale' }).click()
    await screen.getByTestId('offline-message').filter({ hasText: "this device's storage is full" }).waitFor()
    assert.include(await screen.getByTestId('offline-message').textContent(), 'Its payment was not recorded and the cart is kept')
    assert.equal(await screen.locator('.cart-line').count(), 1)
    assert.equal(await screen.getByTestId('offline-receipt').count(), 0)
    assert.equal(await waiting(page, 0), 0)

    await storageFull(false)
    await screen.getByRole('button', { name: 'Complete sale' }).click()
    await screen.getByTestId('offline-receipt').waitFor()
    assert.equal(Number((await screen.getByTestId('sale-number').textContent())!.replace('#', '')), 1)
  }).timeout(180_000)
})
