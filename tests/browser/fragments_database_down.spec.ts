import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { TcpProxy } from '../functional/faults/tcp_proxy.js'
import { openTill, TillBrowser, TillServer } from './offline/till_device.js'

/*
| The database briefly out of reach while a fragment is asked for: the server answered 503 with
| its message aimed at the till's message area (HX-Retarget: #till-message). The import's
| progress (polled every second on a back-office page, which has no such area) threw htmx's
| "invalid re-target" on every poll: the page kept "Importing: 2 of 10" with no word of the
| outage. The Returns search said "your cart is kept", of a screen without a cart. Now each says
| the database is not reachable where the user is looking, and the page carries on once it is
| back. A real child server whose DB_PORT is a TCP proxy in front of MariaDB. MariaDB only.
*/

const PORT = Number(process.env.PORT ?? 3334) + 33
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 34
const onMariaDb = process.env.DB_CONNECTION === 'mysql'

test.group('Fragments: the database gone', (group) => {
  let proxy: TcpProxy | null = null
  group.each.teardown(async () => {
    await proxy?.cut()
    proxy = null
  })

  test('the import progress says the database is not reachable in its place, and goes on once it is back', async ({ cleanup }) => {
    const fixture = await createStore()
    const now = dbTimestamp()
    const [jobId] = await db.table('product_imports').insert({ store_id: fixture.store.id, user_id: fixture.users.manager.id, file_name: 'products.csv', path: '/nonexistent/products.csv', status: 'running', total_rows: 10, processed_rows: 2, created_at: now, updated_at: now })
    proxy = await new TcpProxy(PROXY_PORT, { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) }).start()
    const server = new TillServer(PORT, { DB_PORT: String(PROXY_PORT) })
    const browser = new TillBrowser()
    cleanup(async () => {
      await browser.dispose()
      await server.kill()
    })
    await server.start()
    await browser.open()
    const page = await browser.page()
    await page.goto(`${server.url}/login`)
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => !url.pathname.startsWith('/login'))
    await page.goto(`${server.url}/backoffice/products/import/${jobId}`)
    await page.getByTestId('import-progress').waitFor()

    await proxy.cut()
    await page.locator('#import-status', { hasText: 'The database is not reachable' }).waitFor({ timeout: 10_000 })
    await proxy.start()
    await db.from('product_imports').where('id', jobId).update({ processed_rows: 7 })
    await page.locator('[data-testid="import-progress"]', { hasText: '7' }).waitFor({ timeout: 20_000 })
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(180_000)

  test('the Returns search says the database is not reachable, of no cart; found once it is back', async ({ cleanup }) => {
    const fixture = await createStore()
    const cola = await createProduct(fixture, { name: 'Cola 330ml', price: 1000, stock: 10 })
    const sale = await sellFor(fixture, [{ product: cola, quantity: 2 }])
    proxy = await new TcpProxy(PROXY_PORT, { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) }).start()
    const { page } = await openTill(fixture, PORT, cleanup, { DB_PORT: String(PROXY_PORT) })
    await page.goto(`http://127.0.0.1:${PORT}/till/returns`)

    await proxy.cut()
    const search = page.getByLabel('Receipt or sale number')
    await search.fill(`S-${fixture.register.id}-${sale.number}`)
    const answered = page.waitForResponse((response) => response.url().includes('/till/returns?'))
    await search.press('Enter')
    await answered
    const message = page.locator('#till-message', { hasText: 'The database is not reachable' })
    await message.waitFor({ timeout: 5_000 })
    if ((await message.innerText()).includes('cart')) throw new Error(`The Returns screen has no cart: ${await message.innerText()}`)

    await proxy.start()
    await search.press('Enter')
    await page.getByLabel('Quantity of Cola 330ml to return').waitFor({ timeout: 20_000 })
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(180_000)
})
