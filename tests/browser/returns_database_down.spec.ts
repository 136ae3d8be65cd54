import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { TcpProxy } from '../functional/faults/tcp_proxy.js'
import { openTill } from './offline/till_device.js'

/*
| A refund sent on the till's Returns screen while the database is out of reach: the server
| answers 503 with its message and where it goes (#till-message, HX-Retarget), but htmx swapped
| no 5xx, and the Returns screen has no offline till to take over: the Refund button did nothing
| on screen, no message, no hint to try again. A real child server whose DB_PORT is a TCP proxy
| in front of MariaDB, cut, then restored: the same button then refunds once. MariaDB only.
*/

const PORT = Number(process.env.PORT ?? 3334) + 37
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 38
const onMariaDb = process.env.DB_CONNECTION === 'mysql'

test.group('Returns screen: the database gone', (group) => {
  let proxy: TcpProxy | null = null
  group.each.teardown(async () => {
    await proxy?.cut()
    proxy = null
  })

  test('a refund answered 503 says the database is not reachable; sent again once it is back, it refunds once', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    const cola = await createProduct(fixture, { name: 'Cola 330ml', price: 1000, stock: 10 })
    const sale = await sellFor(fixture, [{ product: cola, quantity: 2 }])
    proxy = await new TcpProxy(PROXY_PORT, { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) }).start()
    const { page } = await openTill(fixture, PORT, cleanup, { DB_PORT: String(PROXY_PORT) })

    await page.goto(`http://127.0.0.1:${PORT}/till/returns`)
    const search = page.getByLabel('Receipt or sale number')
    await search.fill(`S-${fixture.register.id}-${sale.number}`)
    await search.press('Enter')
    await page.getByLabel('Quantity of Cola 330ml to return').fill('1')
    await page.getByLabel('Reason').fill('Dented can')

    await proxy.cut()
    const answered = page.waitForResponse((response) => response.request().method() === 'POST' && response.url().includes('/till/returns/'))
    await page.getByRole('button', { name: /^Refund/ }).click()
    assert.equal((await answered).status(), 503)
    await page.locator('#till-message', { hasText: 'The database is not reachable' }).waitFor({ timeout: 5_000 })
    const refunds = () => db.from('refunds').where('sale_id', sale.id).count('* as n').first()
    assert.equal(Number((await refunds()).n), 0)

    await proxy.start()
    await page.getByRole('button', { name: /^Refund/ }).click()
    await page.getByTestId('refund-total').waitFor({ timeout: 20_000 })
    assert.equal(Number((await refunds()).n), 1)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(180_000)
})
