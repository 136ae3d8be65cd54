import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { offline, openTill, sellOffline, waitReady } from './offline/till_device.js'

/*
| A cashier signs out on the till (online), then the server goes down. The service worker keeps the
| till page, and the offline till kept the cashier's name: anyone at the till sold offline in the
| name of the cashier who had signed out and left, sales the server takes as not theirs
| (register_lease_service.ts signedOut: "a sale in theirs made after now is not theirs"). Once signed
| out, the till sells offline again only after someone signs in.
*/

const PORT = Number(process.env.PORT ?? 3334) + 38

test.group('Offline till: signed out', () => {
  test('a till signed out on does not sell offline in the name of the cashier who signed out; signed in again, it does', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, page } = await openTill(fixture, PORT, cleanup)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/login'))
    await server.kill()
    await page.goto(`${server.url}/till`)
    await offline(page).waitFor({ timeout: 20_000 })
    const screen = offline(page)
    assert.include(await screen.innerText(), 'Signed out on this till')
    assert.equal(await screen.getByLabel('Scan or search').count(), 0, 'no offline sale in the name of the cashier who signed out')
    assert.include(await page.locator('#offline-status').textContent(), 'Signed out: sign in again')

    // Signed in again: the till sells offline as before
    await server.start()
    await page.goto(`${server.url}/login`)
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => !url.pathname.startsWith('/login'))
    // The till opens on its register (the lease's), or asks which
    const chooser = page.getByRole('button', { name: 'Register 1' })
    if (await chooser.isVisible()) await chooser.click()
    await waitReady(page)
    assert.notInclude((await page.locator('#offline-status').textContent()) ?? '', 'Signed out')
    await server.kill()
    const scan = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await scan.fill('96385074', { timeout: 2000 }).then(() => scan.press('Enter', { timeout: 2000 })).catch(() => {})
    await offline(page).waitFor({ timeout: 20_000 })
    await screen.getByRole('button', { name: 'Void' }).click().catch(() => {})
    assert.equal(await sellOffline(page, ['96385074']), 1)
    const sales = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).count('* as n')
    assert.equal(Number(sales[0].n), 0)
  }).timeout(180_000)

  test('signed out from the back office, the till page kept by the service worker does not sell offline in that name either', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, page } = await openTill(fixture, PORT, cleanup, {}, fixture.users.manager.email)
    // The till's Back office link, then Sign out there: only the till page's own form wrote it
    await page.goto(`${server.url}/backoffice`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/login'))
    await server.kill()
    await page.goto(`${server.url}/till`)
    await offline(page).waitFor({ timeout: 20_000 })
    assert.include(await offline(page).innerText(), 'Signed out on this till')
    assert.equal(await offline(page).getByLabel('Scan or search').count(), 0, 'no offline sale in the name of the manager who signed out')
  }).timeout(120_000)
})
