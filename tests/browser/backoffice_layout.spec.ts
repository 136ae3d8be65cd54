import { test } from '@japa/runner'
import { createStore, PASSWORD } from '#tests/fixtures'

/*
| The back office's top bar on a tablet held upright (768 wide) and a small laptop (1024): the
| store's name and the signed-in user on one side, the menu under them across the whole width. The
| menu sat squeezed between them, a column 180 px wide of one or two links a line: a manager's bar
| was 436 px of a 1024 px screen before any of the page (an admin's, 224 px at 1024 wide).
*/
async function backofficeAt(visit: any, width: number, role: 'manager' | 'admin') {
  const fixture = await createStore()
  const page = await visit('/login')
  await page.setViewportSize({ width, height: 1024 })
  await page.getByLabel('Email').fill(fixture.users[role].email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/backoffice')
  return page
}

const measure = (page: any) =>
  page.evaluate(() => {
    const document = (globalThis as any).document
    const box = (selector: string) => document.querySelector(selector).getBoundingClientRect()
    return { header: box('header.topbar').height, nav: box('header.topbar nav').width, page: document.documentElement.clientWidth }
  })

test.group('Back office top bar', () => {
  for (const [width, role, most] of [
    [768, 'manager', 200],
    [768, 'admin', 240],
    [1024, 'admin', 200],
  ] as const) {
    test(`at ${width} px ${role === 'admin' ? 'an' : 'a'} ${role}'s menu spans the width and the bar stays under ${most} px`, async ({ visit, assert }) => {
      const page = await backofficeAt(visit, width, role)
      const { header, nav, page: widthOfPage } = await measure(page)
      assert.isAbove(nav, widthOfPage * 0.9, `the menu is ${nav} px wide of ${widthOfPage}`)
      assert.isBelow(header, most)
      // Every link of the menu is on screen
      const links = await page.locator('header.topbar nav a').evaluateAll((items: any[]) => items.filter((a) => a.getBoundingClientRect().right > (globalThis as any).innerWidth).length)
      assert.equal(links, 0)
    })
  }
})

test.group('Back office lists on a tablet', () => {
  test('at 768 px a wide list scrolls in its own box, the page never sideways', async ({ visit, assert }) => {
    const page = await backofficeAt(visit, 768, 'admin')
    // Lists of many columns (the refunds' were 1,190 px wide at 768: the whole page, top bar and
    // all, scrolled sideways to read them)
    for (const path of ['/backoffice/refunds', '/backoffice/products', '/backoffice/shifts', '/backoffice/audit', '/backoffice/sales']) {
      await page.goto(path)
      const { scroll, width } = await page.evaluate(() => ({ scroll: (globalThis as any).document.documentElement.scrollWidth, width: (globalThis as any).document.documentElement.clientWidth }))
      assert.isAtMost(scroll, width, `${path} is ${scroll} px wide at ${width}`)
    }
  })
})
