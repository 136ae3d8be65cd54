import { test } from '@japa/runner'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline } from './offline/till_device.js'

/*
| What needs the server is disabled on the offline till (data-online-only), and stays so from the
| keyboard: F1 (Returns) and Enter on a link the focus reached went to /till/returns, which the
| browser could not load offline, and the offline till with the cart on it was gone (its
| "No internet" page instead; Back opened the kept till with an empty cart).
*/

const PORT = Number(process.env.PORT ?? 3334) + 38

test.group('Offline till: what needs the server', () => {
  test('F1 (Returns) and Enter on the Returns link leave the offline till and its cart where they are', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { till, page, server } = await openTill(fixture, PORT, cleanup)
    await till.context.setOffline(true)
    await offline(page).waitFor({ timeout: 20_000 })
    const screen = offline(page)
    await screen.getByLabel('Scan or search').fill('96385074')
    await screen.getByLabel('Scan or search').press('Enter')
    await screen.locator('.cart-line', { hasText: 'Bread' }).waitFor()

    await page.keyboard.press('F1')
    await page.waitForTimeout(1500)
    assert.equal(new URL(page.url()).pathname, '/till')
    assert.equal(await screen.locator('.cart-line', { hasText: 'Bread' }).count(), 1, 'the cart is still on screen after F1')

    await page.locator('a[href="/till/returns"]').focus()
    await page.keyboard.press('Enter')
    await page.waitForTimeout(1500)
    assert.equal(new URL(page.url()).pathname, '/till')
    assert.equal(await screen.locator('.cart-line', { hasText: 'Bread' }).count(), 1, 'the cart is still on screen after Enter on the link')

    // The sale goes on, and online again F1 opens Returns as always
    await screen.getByRole('button', { name: 'Void' }).click()
    assert.equal(await sellOffline(page, ['96385074']), 1)
    await till.context.setOffline(false)
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('#offline-till:not([hidden])'), null, { timeout: 30_000 })
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.offlineReady === 'yes', null, { timeout: 30_000 })
    await page.keyboard.press('F1')
    await page.waitForURL(`${server.url}/till/returns**`)
    assert.deepEqual(till.violations, [])
  }).timeout(180_000)
})
