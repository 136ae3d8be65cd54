import { test } from '@japa/runner'
import { createProduct, createStore, PASSWORD, stockOf } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import StocktakeService from '#inventory/stocktake_service'

/*
| The count sheet in Chromium: its page marks when each count is typed and when the sheet is sent
| (public/js/components.js, countSheet), so a product counted before a sale and saved after it is
| compared with the stock of when it was counted (tests/functional/stock/stocktake_sales.spec.ts
| for the rest); only a line typed sends its mark (stocktake_big_sheet.spec.ts). Saved against the stock at the save, the sold units came back on approval.
*/

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('Stocktake sheet in Chromium', () => {
  test('a product counted, then sold, then the sheet saved: the count is against the stock of when it was typed', async ({ visit, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', stock: 10 })
    const jam = await createProduct(fixture, { name: 'Jam', stock: 4 })
    const id = await new StocktakeService().createStocktake({ user: fixture.users.manager, store: fixture.store }, null)
    // Stock movements are dated to the second: each step below in a second of its own
    await pause(1100)
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url: URL) => url.pathname !== '/login')
    await page.goto(new URL(`/backoffice/stock/stocktakes/${id}`, page.url()).href)
    await page.getByLabel('Counted Green Tea').fill('10')
    await pause(1100)
    await sellFor(fixture, [{ product: tea, quantity: 2 }])
    // The sheet's own POST, not the live-updates subscription's (/__transmit), which posts by itself
    const posted = page.waitForRequest((request: any) => request.method() === 'POST' && !request.url().includes('/__transmit'))
    await page.getByRole('button', { name: 'Save counts' }).click()
    // Only the line typed sends its typing mark (every line sending one doubled a sheet's fields,
    // and the form parser dropped what came past its limit); every line sends its count
    const fields = new URLSearchParams((await posted).postData() ?? '')
    assert.match(fields.get(`typed[p${tea.id}]`) ?? '', /^\d+$/)
    assert.isFalse(fields.has(`typed[p${jam.id}]`))
    assert.isTrue(fields.has(`counted[p${jam.id}]`))
    await page.getByText('Counts saved').waitFor()
    assert.equal(await page.locator(`[data-testid="variance-${tea.id}"]`).count(), 0)
    await page.getByRole('button', { name: 'Approve and post variances' }).click()
    await page.getByText('Stocktake approved').waitFor()
    // Before: 10 (the 2 sold put back by the count)
    assert.equal(await stockOf(tea.id), 8)
  }).timeout(60_000)
})

test.group('Stocktake sheet in Chromium: a typo', () => {
  test('one count mistyped: the others are saved, the typo comes back in its field with its error; fixed, the sheet approves', async ({ visit, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', stock: 10 })
    const jam = await createProduct(fixture, { name: 'Jam', stock: 4 })
    const id = await new StocktakeService().createStocktake({ user: fixture.users.manager, store: fixture.store }, null)
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url: URL) => url.pathname !== '/login')
    await page.goto(new URL(`/backoffice/stock/stocktakes/${id}`, page.url()).href)
    await page.getByLabel('Counted Green Tea').fill('9')
    await page.getByLabel('Counted Jam').fill('1O')
    await page.getByRole('button', { name: 'Approve and post variances' }).click()
    await page.getByText('1 line(s) need fixing').waitFor()
    assert.equal(await page.getByLabel('Counted Jam').inputValue(), '1O')
    assert.equal(await page.getByLabel('Counted Green Tea').inputValue(), '9')
    assert.equal(await page.getByTestId(`count-error-${jam.id}`).textContent(), 'A count must be a whole number')
    await page.getByLabel('Counted Jam').fill('3')
    await page.getByRole('button', { name: 'Approve and post variances' }).click()
    await page.getByText('Stocktake approved').waitFor()
    assert.deepEqual([await stockOf(tea.id), await stockOf(jam.id)], [9, 3])
  }).timeout(60_000)
})
