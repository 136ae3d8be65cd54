import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { pageViolations } from '#tests/browser_guard'
import { signInAtTill, wedgeScan } from './till_page.js'

/*
| A register is one till's for offline selling (its lease). A second browser on that register (the
| same cashier on a new tablet, or in a browser whose storage was cleared) used to fill a whole cart
| and learn only at the payment that the server refuses it. Now the register chooser says the
| register is in use on another till, and the till page says so at the top of the cart before the
| first scan, with Pay off; released by a manager, the till's next lease renewal takes it and Pay
| comes back. Two real tills: two browser contexts (two devices) on Register 1.
*/

test.group('Till in Chromium: a register another till holds', () => {
  test('a second till on the held register is told before scanning, cannot start a payment, and sells once the register is released', async ({ visit, browser, client, assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Cola', price: 1000, barcode: '5000112637922', stock: 50 })
    const cashier = fixture.users.cashier

    // The first till: its offline code takes the register's lease as it opens
    const holder = await signInAtTill(visit, cashier.email)
    await holder.waitForSelector('body[data-offline-ready="yes"]', { timeout: 20_000 })
    const lease = await db.from('registers').where('id', fixture.register.id).first()
    assert.exists(lease.lease_device_id)
    assert.equal(await holder.locator('#register-held').count(), 0, 'the holder is not told of itself')

    // The second till: another browser (another device), the same cashier
    const second = await browser.newContext({ baseURL: `http://${process.env.HOST}:${process.env.PORT}` })
    cleanup(() => second.close())
    const page = await second.visit('/login')
    await page.getByLabel('Email').fill(cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    // The chooser says it before the register is chosen; it stays a choice
    const note = page.getByTestId('register-in-use')
    await note.waitFor()
    assert.include(await note.textContent(), `In use on another till: ${cashier.name}, last heard less than a minute ago.`)
    await page.getByRole('button', { name: 'Register 1' }).click()

    // The till page: the banner at the top of the cart, before anything is scanned
    const banner = page.getByTestId('register-held')
    await banner.waitFor()
    assert.equal(await page.locator('#cart-lines .cart-line').count(), 0)
    const said = ((await banner.textContent()) ?? '').replace(/\s+/g, ' ')
    assert.include(said, `Register 1 is in use on another till: ${cashier.name}'s, last heard less than a minute ago`)
    assert.include(said, 'choose another register')
    assert.include(said, 'ask a manager to release this one under Offline sales')
    assert.equal(await banner.getByRole('link', { name: 'choose another register' }).getAttribute('href'), '/till/register')
    // Above the cart, in view at once (a 1024x768 tablet)
    const box = (await banner.boundingBox())!
    const cart = (await page.locator('#cart-panel').boundingBox())!
    assert.isBelow(box.y + box.height, cart.y + 1)
    assert.isBelow(box.y + box.height, 768)

    // Scanning still works; Pay is off with its reason, and F9 opens no payment
    await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
    await page.getByLabel('Scan or search').focus()
    await wedgeScan(page, '5000112637922')
    await page.locator('#cart-lines .cart-line').first().waitFor()
    const pay = page.getByRole('button', { name: 'Pay' })
    assert.isTrue(await pay.isDisabled())
    assert.include(await page.getByTestId('pay-held').textContent(), 'another till holds this register')
    await page.keyboard.press('F9')
    await page.keyboard.press('F6')
    await page.waitForTimeout(300)
    assert.isFalse(await page.getByLabel('Amount tendered').isVisible())
    // Said once: the offline till's status line leaves it to the banner
    await page.waitForSelector('body[data-offline-ready="no"]', { timeout: 20_000 })
    assert.notInclude((await page.locator('#offline-status').textContent()) ?? '', 'cannot complete sales here')
    assert.equal(await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).count('* as n').first().then((r: any) => Number(r.n)), 0)

    // A manager releases the register (the first till lost): the second till's lease renewal (every
    // minute; run now) takes it, the banner goes and Pay comes back, without a reload
    ;(await client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)).assertStatus(302)
    await page.evaluate(() => (globalThis as any).offlineTill.keepReady())
    await banner.waitFor({ state: 'detached' })
    assert.isFalse(await pay.isDisabled())
    await pay.click()
    await page.getByRole('button', { name: 'Exact amount' }).click()
    await page.getByRole('button', { name: 'Complete sale' }).click()
    await page.locator('[data-completed-sale]').waitFor()
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).first()
    assert.equal(Number(sale.number), 1)
    assert.deepEqual(pageViolations(second), [])
  }).timeout(90_000)
})
