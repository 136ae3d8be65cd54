import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore, PASSWORD } from '#tests/fixtures'

/*
| The back button after a form that writes, in Chromium. The browser puts back what was typed
| (from its cache, or into the page fetched again with a new one-time key), and Record booked a
| cash-in twice. Such forms are emptied on the way back; a signed-in page is not kept by the
| browser (Cache-Control: no-store), so Back after signing out shows none.
*/

test.group('Forms and the back button in Chromium', () => {
  test('a cash-in recorded, then Back and Record again: recorded once', async ({ visit, assert }) => {
    const fixture = await createStore()
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Register 1' }).click()
    await page.waitForURL((url: URL) => url.pathname === '/till')
    const shiftPage = await page.goto(new URL('/till/shift', page.url()).href)
    assert.equal(shiftPage!.headers()['cache-control'], 'no-store')
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()

    const form = page.getByRole('form', { name: 'Cash in or out' })
    await form.getByLabel('What').selectOption('cash_in')
    await form.getByLabel('Amount').fill('20.00')
    await form.getByLabel('Reason').fill('Change from the bank')
    await form.getByRole('button', { name: 'Record' }).click()
    await page.getByText('Cash in recorded').waitFor()

    await page.goBack()
    await page.waitForLoadState('load')
    await page.waitForFunction(() => (globalThis as any).document.querySelector('form[aria-label="Cash in or out"] input[name="amount"]')?.value === '')
    await form.getByRole('button', { name: 'Record' }).click()
    await page.waitForLoadState('load')
    const movements = await db.from('cash_movements').where({ shift_id: shift.id }).count('* as n').first()
    assert.equal(Number(movements.n), 1)
  }).timeout(60_000)
})
