import { test } from '@japa/runner'
import { createStore, PASSWORD } from '#tests/fixtures'
import { TestDevice } from '#tests/functional/offline/device'

/*
| A register is one till's for offline selling (its lease). A second browser on that register (the
| same cashier on a new tablet, or in a browser whose storage was cleared) may fill a cart, but the
| server refuses its payments. It used to learn that only at the payment; the till now says so when it opens.
*/

test.group('Till in Chromium: a register another till holds', () => {
  test('the till says at once that it cannot complete sales here, who holds the register and since when', async ({ visit, client, assert }) => {
    const fixture = await createStore()
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)

    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.cashier.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Register 1' }).click()
    const status = page.locator('#offline-status', { hasText: 'This till cannot complete sales here' })
    await status.waitFor({ timeout: 20_000 })
    const text = (await status.textContent()) ?? ''
    assert.include(text, `Register 1 is held for offline selling by another till (${fixture.users.cashier.name}'s)`)
    assert.match(text, /last heard of \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T/)
    assert.include(text, 'ask a manager to release it under Offline sales')
  }).timeout(60_000)
})
