import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { disablePluginForTest, enablePluginForTest } from '#tests/plugins'

const NAMES = [
  'Arctic Blast Energy Drink Sugar Free 500ml',
  'Arctic Blast Energy Drink Original 500ml',
  'Big Apple Cider Dry 330ml',
  'Big Apple Cider Sweet 330ml',
  'Brightside Orange Juice with Bits 1L',
  'Brightside Orange Juice Smooth 1L',
  // As the demo store names them: three lines at 1024 wide, with the price and stock on two
  'Big Apple Dark Chocolate Bar',
  'Arctic Dumplings 24 ct',
]

const LONG = {
  store: 'The Great Northern Hardware, Garden and Home Improvement Emporium of Upper Springfield',
  register: 'Front counter by the garden centre entrance',
  user: 'Maximiliana Alexandrovna Featherstonehaugh-Smythe',
}

async function tillAt(visit: any, viewport: { width: number; height: number }, options: { longNames?: boolean; admin?: boolean } = {}) {
  // An admin of every store has the store switcher in the top bar, and every button
  if (options.admin) await createStore()
  const fixture = await createStore({ chainAdmin: options.admin })
  const user = options.admin ? fixture.users.admin : fixture.users.cashier
  if (options.longNames) {
    await db.from('stores').where('id', fixture.store.id).update({ name: LONG.store })
    await db.from('registers').where('id', fixture.register.id).update({ name: LONG.register })
    await db.from('users').where('id', user.id).update({ name: LONG.user })
  }
  for (const [index, name] of NAMES.entries()) await createProduct(fixture, { name, price: 199 + index * 100, stock: 5 + index })
  // A grid taller than the screen, as a store's: it scrolls, and its rows must still fit their tiles
  for (let index = 0; index < 40; index++) await createProduct(fixture, { name: `Zesty Garden Product Number ${index}`, price: 299, stock: 100 + index })
  const page = await visit('/login')
  await page.setViewportSize(viewport)
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url: URL) => !url.pathname.startsWith('/login'))
  // An admin lands on the back office: the till is one address away
  if (!page.url().includes('/till')) await page.goto('/till')
  await page.getByRole('button', { name: options.longNames ? LONG.register : 'Register 1' }).click()
  await page.locator('#grid .tile').first().waitFor()
  return page
}

/** SCREENSHOTS=<folder> keeps a picture of each layout to look at */
async function keepPicture(page: any, name: string) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png` })
}

test.group('The till\'s layout in Chromium', () => {
  test('at 1024×768 a tile shows its name on up to three lines, with price and stock below; the button is named in full', async ({ visit, assert }) => {
    const page = await tillAt(visit, { width: 1024, height: 768 })
    const tile = page.getByRole('button', { name: 'Add Arctic Blast Energy Drink Sugar Free 500ml' })
    assert.equal(await tile.getAttribute('title'), 'Arctic Blast Energy Drink Sugar Free 500ml')
    const name = tile.locator('.tile-name')
    const box = await name.boundingBox()
    const lineHeight = await name.evaluate((el: any) => parseFloat((globalThis as any).getComputedStyle(el).lineHeight))
    // More than one line is used, never more than three
    assert.isAbove(box.height, lineHeight * 1.5)
    assert.isAtMost(box.height, lineHeight * 3 + 1)
    // The two Arctic Blast tiles can be told apart on screen: the words that differ are visible
    const visibleText = await name.evaluate((el: any) => el.scrollHeight <= el.clientHeight + 1)
    const other = page.getByRole('button', { name: 'Add Arctic Blast Energy Drink Original 500ml' }).locator('.tile-name')
    assert.isTrue(visibleText || (await other.evaluate((el: any) => el.scrollHeight > el.clientHeight)))
    const price = await tile.locator('.tile-meta').boundingBox()
    assert.isAtLeast(price.y, box.y + box.height - 1)
    // Every tile shows its whole name, or three lines of it with an ellipsis: never a line cut in half
    const cut = await page.locator('.tile-name').evaluateAll((names: any[]) =>
      names
        .filter((el) => {
          const line = parseFloat((globalThis as any).getComputedStyle(el).lineHeight)
          const lines = el.clientHeight / line
          return Math.abs(lines - Math.round(lines)) > 0.05 || (el.scrollHeight > el.clientHeight + 1 && Math.round(lines) < 3)
        })
        .map((el) => el.textContent)
    )
    assert.deepEqual(cut, [])
    // Each tile's price and stock line sits inside its tile (the tile's border cut the stock off)
    const clipped = await page.locator('#grid .tile').evaluateAll((tiles: any[]) =>
      tiles.filter((tile) => tile.querySelector('.tile-meta').getBoundingClientRect().bottom > tile.getBoundingClientRect().bottom - 1).map((tile) => tile.title)
    )
    assert.deepEqual(clipped, [])
    // and the tiles of a row are as tall as each other
    const ragged = await page.locator('#grid .tile').evaluateAll((tiles: any[]) => {
      const rows = new Map<number, Set<number>>()
      for (const tile of tiles) {
        const box = tile.getBoundingClientRect()
        rows.set(Math.round(box.top), (rows.get(Math.round(box.top)) ?? new Set()).add(Math.round(box.height)))
      }
      return [...rows.values()].filter((heights) => heights.size > 1).length
    })
    assert.equal(ragged, 0)
    await keepPicture(page, 'till-1024x768')
  })

  test('at 1024×768 the payment methods of a store with plugins fit: the page does not scroll sideways', async ({ visit, assert, cleanup }) => {
    await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 100 })
    await enablePluginForTest('terminal-sim', { base_url: 'http://127.0.0.1:9' })
    cleanup(async () => {
      await disablePluginForTest('loyalty-points')
      await disablePluginForTest('terminal-sim')
    })
    const page = await tillAt(visit, { width: 1024, height: 768 })
    await page.locator('#grid .tile').first().click()
    await page.locator('.cart-line').first().waitFor()
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByRole('group', { name: 'Payment method' }).waitFor()
    const wide = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth)
    assert.isAtMost(wide, 0)
    await keepPicture(page, 'till-pay-1024x768')
  })

  for (const admin of [false, true]) {
    test(`at 1024×768 long store, register and user names give way: the top bar is one row with Sign out, each name whole in its title (${admin ? 'an admin with the store switcher' : 'a cashier'})`, async ({ visit, assert }) => {
      const page = await tillAt(visit, { width: 1024, height: 768 }, { longNames: true, admin })
      // One row: every item of the bar centred on the same line (a wrapped one sits a row lower);
      // the offline status, when shown, on a row of its own below it
      const row = () =>
        page.locator('.till-top').evaluate((bar: any) => {
          const items = [...bar.children].filter((el: any) => el.getClientRects().length && !el.classList.contains('grow') && el.id !== 'offline-status')
          const boxes = items.map((el: any) => el.getBoundingClientRect())
          const centres = boxes.map((box: any) => box.top + box.height / 2)
          const status = bar.querySelector('#offline-status:not([hidden])')?.getBoundingClientRect()
          const below = status ? status.top - Math.max(...boxes.map((box: any) => box.bottom)) : 0
          return { spread: Math.max(...centres) - Math.min(...centres), overflow: bar.scrollWidth - bar.clientWidth, items: items.length, below }
        })
      const signOut = page.getByRole('button', { name: 'Sign out' })
      const fits = async () => {
        const { spread, overflow, items, below } = await row()
        assert.isAtLeast(items, admin ? 10 : 9)
        assert.isAtLeast(below, 0)
        assert.isAtMost(spread, 2)
        assert.isAtMost(overflow, 0)
        const box = await signOut.boundingBox()
        assert.isAtMost(box.x + box.width, 1024)
        assert.isAtMost(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth), 0)
      }
      await fits()
      // The names are cut on screen (an ellipsis), and whole in their title; the switcher names the store itself
      const names = [[admin ? '#store-switch' : 'strong.till-name', LONG.store], ['[data-testid="cashier"]', LONG.user], ['.till-name:has-text("· Front counter")', LONG.register]]
      for (const [selector, name] of names) {
        const el = page.locator(`.till-top ${selector}`)
        assert.equal(await el.getAttribute('title'), name)
        if (!admin || selector !== '#store-switch') assert.isTrue(await el.evaluate((node: any) => node.scrollWidth > node.clientWidth), `${name} is cut`)
      }
      await keepPicture(page, `till-top-long-names-${admin ? 'admin' : 'cashier'}-1024x768`)
      // A long offline status takes a row of its own: the buttons stay on theirs
      await page.evaluate(() => {
        const status = (globalThis as any).document.getElementById('offline-status')
        status.querySelector('[data-text]').textContent = 'Sale #12 held: its number is taken · Waiting for a manager to review the conflict of Register 1 sale #12 under Offline sales (or to release the register)'
        status.hidden = false
      })
      await fits()
      await keepPicture(page, `till-top-long-status-${admin ? 'admin' : 'cashier'}-1024x768`)
    })
  }

  test('on a 390-wide phone the total and Pay stay in view in a footer that opens the cart', async ({ visit, assert }) => {
    const page = await tillAt(visit, { width: 390, height: 844 })
    await page.getByRole('button', { name: 'Add Big Apple Cider Dry 330ml' }).click()
    await page.getByRole('button', { name: 'Add Brightside Orange Juice Smooth 1L' }).click()
    await page.locator('.cart-line', { hasText: 'Brightside' }).waitFor()
    await keepPicture(page, 'till-390x844')

    const pay = page.getByRole('button', { name: 'Pay', exact: true })
    assert.isTrue(await pay.isVisible())
    const box = await pay.boundingBox()
    assert.isAtLeast(box.y, 0)
    assert.isAtMost(box.y + box.height, 844)
    // The amount to pay is on the button itself: the sale's total
    assert.include(await pay.textContent(), await page.getByTestId('total').textContent())

    // The footer's cart button brings the cart lines into view
    await page.getByRole('link', { name: 'Cart, 2 lines' }).click()
    await page.locator('.cart-line', { hasText: 'Big Apple Cider Dry 330ml' }).waitFor({ state: 'visible' })
    const line = await page.locator('.cart-line').first().boundingBox()
    assert.isAtMost(line.y, 844)
    await keepPicture(page, 'till-390x844-cart')
  })

  test('at 1024×768 a return form longer than the screen scrolls with the wheel to its Refund button', async ({ visit, assert }) => {
    const page = await tillAt(visit, { width: 1024, height: 768 })
    for (let index = 0; index < 24; index++) {
      await page.getByRole('button', { name: `Add Zesty Garden Product Number ${index}`, exact: true }).click()
      await page.locator('.cart-line', { hasText: `Product Number ${index}` }).first().waitFor()
    }
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByRole('button', { name: 'Exact amount' }).click()
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByText('Sale #1 completed.').waitFor()
    await page.goto(`${page.url().replace(/\/till.*$/, '')}/till/returns`)
    await page.getByLabel('Receipt or sale number').fill('1')
    await page.getByRole('button', { name: 'Find' }).click()
    await page.getByRole('link', { name: 'Return from sale #1' }).click()
    const refund = page.getByRole('button', { name: 'Refund' })
    await refund.waitFor()
    assert.isAbove((await refund.boundingBox()).y, 768, 'the form is longer than the screen')
    // The body does not scroll (the till fills the screen): the page inside it does
    await page.mouse.move(500, 400)
    await page.mouse.wheel(0, 5000)
    let bottom = Infinity
    for (const until = Date.now() + 5000; Date.now() < until && bottom > 768; await page.waitForTimeout(100)) {
      const box = await refund.boundingBox()
      bottom = box.y + box.height
    }
    assert.isAtMost(bottom, 768, 'the Refund button is reached')
  })

  test('on a 390-wide phone Returns fits: the sales found and the return form scroll in their own box, never the page', async ({ visit, assert }) => {
    const page = await tillAt(visit, { width: 390, height: 844 })
    await page.getByRole('button', { name: 'Add Big Apple Cider Dry 330ml' }).click()
    await page.locator('.cart-line', { hasText: 'Big Apple' }).waitFor()
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByRole('button', { name: 'Exact amount' }).click()
    await page.getByRole('button', { name: /Complete sale/ }).click()
    await page.getByText('Sale #1 completed.').waitFor()
    const sideways = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth)

    await page.goto(`${page.url().replace(/\/till.*$/, '')}/till/returns`)
    await page.getByLabel('Receipt or sale number').fill('1')
    await page.getByRole('button', { name: 'Find' }).click()
    await page.getByRole('link', { name: 'Return from sale #1' }).waitFor()
    await keepPicture(page, 'till-390x844-returns-found')
    assert.isAtMost(await sideways(), 0, 'the sales found widen the page')
    await page.getByRole('link', { name: 'Return from sale #1' }).click()
    await page.getByRole('button', { name: 'Refund' }).waitFor()
    assert.isAtMost(await sideways(), 0, 'the return form widens the page')
  })
})
