import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore, PASSWORD } from '#tests/fixtures'
import { settledImport } from '#tests/functional/stock/product_csv_import'

/*
| The products import's upload in Chromium: the form goes as multipart through htmx, with the
| page's CSRF token in the X-CSRF-TOKEN header (the upload skips the body parser, so a field of the
| form is not read before the file; a token in the address ended up in proxies' and access logs).
*/

test.group('Products import in Chromium', () => {
  test('a file chosen and sent: no token in the address, the header carries it, the job page shows the preview', async ({ visit, assert }) => {
    const fixture = await createStore()
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url: URL) => url.pathname !== '/login')
    await page.goto(new URL('/backoffice/products/import', page.url()).href)
    await page.waitForFunction(() => (globalThis as any).htmx)
    await page.getByLabel('CSV file').setInputFiles({ name: 'browser.csv', mimeType: 'text/csv', buffer: Buffer.from('sku,name,price\nBROWSER-1,Browser Upload,2.50\n') })
    // The upload's own POST: the page's live-updates subscription (/__transmit) posts by itself,
    // with no CSRF header (CI caught that one instead, on MariaDB)
    const posted = page.waitForRequest((request: any) => request.method() === 'POST' && new URL(request.url()).pathname === '/backoffice/products/import')
    await page.getByRole('button', { name: 'Upload and check' }).click()
    const request = await posted
    assert.notInclude(request.url(), '_csrf')
    assert.isString(request.headers()['x-csrf-token'])
    assert.match(request.headers()['content-type'] ?? '', /^multipart\/form-data/)
    await page.waitForURL((url: URL) => /^\/backoffice\/products\/import\/\d+$/.test(url.pathname))
    const id = Number(page.url().split('/').pop())
    const job = await settledImport(id)
    assert.equal(job.status, 'previewed')
    assert.equal(job.file_name, 'browser.csv')
    const row = await db.from('product_imports').where('id', id).first()
    assert.equal(row.store_id, fixture.store.id)
  }).timeout(60_000)

  test('a page whose session ended (its token refused): the refusal is said in the form, nothing is imported', async ({ visit, assert }) => {
    const fixture = await createStore()
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url: URL) => url.pathname !== '/login')
    await page.goto(new URL('/backoffice/products/import', page.url()).href)
    await page.waitForFunction(() => (globalThis as any).htmx)
    // As a token of an earlier session: Shield refuses it (419)
    await page.evaluate(() => (globalThis as any).document.body.setAttribute('hx-headers', '{"x-csrf-token": "stale-token"}'))
    await page.getByLabel('CSV file').setInputFiles({ name: 'stale.csv', mimeType: 'text/csv', buffer: Buffer.from('sku,name,price\nSTALE-1,Stale,1.00\n') })
    await page.getByRole('button', { name: 'Upload and check' }).click()
    // htmx retargeted it to the till's message area, which the back office has not: nothing was said
    await page.locator('#import-message .alert', { hasText: 'Your session expired. Reload the page to continue.' }).waitFor()
    assert.notInclude(await page.locator('#import-message').innerText(), 'cart')
    assert.equal(new URL(page.url()).pathname, '/backoffice/products/import')
    assert.equal(Number((await db.from('product_imports').where('store_id', fixture.store.id).count('* as n').first()).n), 0)
  }).timeout(60_000)
})
