import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, waiting } from './offline/till_device.js'

/*
| The server back while the offline till still shows a sale (its receipt, or a cart being rung
| up): the till syncs and stays offline until the sale is closed (New sale), but its status line
| went on saying "The server does not answer", long after it did, with the sale already sent:
| the cashier, told the server was gone, had no reason to press New sale. It now says the server
| is back. The till's requests are cut in the browser (page.route), so either database serves.
*/

const PORT = Number(process.env.PORT ?? 3334) + 37

test.group('Offline till: the server back while a sale is on screen', () => {
  test('the status says the server is back once the sale on screen is synced, not that it does not answer; New sale goes online', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { page } = await openTill(fixture, PORT, cleanup)
    const cut = (route: any) => route.abort('connectionrefused')
    await page.route('**/health/till', cut)
    await page.route('**/till/scan', cut)

    // The scan's request fails: the till goes offline, and sells
    const online = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await online.fill('96385074')
    await online.press('Enter')
    await offline(page).waitFor({ timeout: 20_000 })
    const till = offline(page)
    await till.getByLabel('Scan or search').fill('96385074')
    await till.getByLabel('Scan or search').press('Enter')
    await till.locator('.cart-line').first().waitFor()
    await till.getByRole('button', { name: 'Cash', exact: true }).click()
    await till.getByRole('button', { name: 'Complete sale' }).click()
    await till.getByTestId('offline-receipt').waitFor()
    const status = page.locator('#offline-status [data-text]')
    assert.equal(await waiting(page, 1), 1)
    assert.include(await status.textContent(), 'The server does not answer')

    // The server answers again: the sale is synced while its receipt is still on screen
    await page.unroute('**/health/till')
    await page.unroute('**/till/scan')
    assert.equal(await waiting(page, 0), 0)
    await page.waitForFunction(() => /server is back/.test((globalThis as any).document.querySelector('#offline-status [data-text]').textContent), null, { timeout: 10_000 }).catch(() => {})
    const said = (await status.textContent())!
    assert.notInclude(said, 'does not answer')
    assert.include(said, 'The server is back: New sale goes back online')
    assert.equal(Number((await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).count('* as n'))[0].n), 1)

    await till.getByRole('button', { name: 'New sale' }).click()
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('#offline-till:not([hidden])'), null, { timeout: 20_000 })
  }).timeout(120_000)
})
