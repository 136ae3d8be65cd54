import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline, waitReady, waiting } from './offline/till_device.js'

/*
| The server gone while a cart was rung up online: the offline screen starts empty, the cashier
| rings the goods again and sells them offline. Once the server was back, the page reloaded online
| showed the old cart again, unpaid, for the next customer to be charged. Now the sync parks it:
| the page back online shows an empty cart and says, once, that the old cart is in Parked sales.
| The till's requests are cut in the browser (page.route), so either database serves.
*/

const PORT = Number(process.env.PORT ?? 3334) + 37

test.group('Offline till: the online cart open when the till went offline', () => {
  test('back online, the cart is empty, the old one parked with its line, and the status says so', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { page } = await openTill(fixture, PORT, cleanup)
    await waitReady(page)
    const online = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await online.fill('96385074')
    await online.press('Enter')
    await page.locator('#cart-panel .cart-line', { hasText: 'Bread' }).first().waitFor()
    const cart = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()

    // The server goes: the next scan fails, the till goes offline with an empty cart and sells again
    const cut = (route: any) => route.abort('connectionrefused')
    await page.route('**/health/till', cut)
    await page.route('**/till/scan', cut)
    await online.fill('96385074')
    await online.press('Enter')
    await offline(page).waitFor({ timeout: 20_000 })
    // Past the second the online cart was last changed in (kept to the second)
    await page.waitForTimeout(1100)
    await sellOffline(page, ['96385074'])
    assert.equal(await waiting(page, 1), 1)

    // Back: synced, reloaded online
    const reloaded = page.waitForEvent('load', { timeout: 30_000 })
    await page.unroute('**/health/till')
    await page.unroute('**/till/scan')
    await reloaded
    await waitReady(page)
    assert.isTrue(await offline(page).isHidden())
    assert.equal(await page.locator('#cart-panel .cart-line').count(), 0)
    assert.equal(await page.locator('#cart-panel [data-testid="total"]').textContent(), '$0.00')
    await page.waitForFunction(() => /Parked sales/.test((globalThis as any).document.querySelector('#offline-status [data-text]')?.textContent ?? ''), null, { timeout: 10_000 }).catch(() => {})
    assert.include(await page.locator('#offline-status [data-text]').textContent(), 'The cart open when the till went offline was parked: it is in Parked sales')

    const old = await db.from('sales').where('id', cart.id).firstOrFail()
    assert.equal(old.status, 'parked')
    assert.include(old.note, 'Open when the till went offline')
    assert.equal(Number((await db.from('sale_items').where('sale_id', cart.id).count('* as n'))[0].n), 1)
    assert.equal(Number((await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).count('* as n'))[0].n), 1)

    // Said once: the next page does not say it again
    await page.reload()
    await waitReady(page)
    assert.notInclude((await page.locator('#offline-status [data-text]').textContent()) ?? '', 'Parked sales')
  }).timeout(120_000)
})
