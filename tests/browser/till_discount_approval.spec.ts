import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PINS, type TestStore } from '#tests/fixtures'
import { htmxIdle } from '#tests/browser/htmx_idle'
import { signInAtTill } from '#tests/browser/till_page'

/*
| A cashier's removal, quantity or scan that takes the discounts past what is allowed (the store's
| limit, or the share and amount a manager approved): the refusal on the till carries a PIN field,
| and a manager standing by approves the same change on the spot
| (app/controllers/till/cart_controller.ts, till/_change_approval.edge).
*/

const TEA = '5000112637922'
const CUP = '4006381333931'

/** A cashier's till on Register 1, with Green Tea and Tea Cup at $10 each in the store */
async function cashierTill(visit: any, fixture: TestStore) {
  await createProduct(fixture, { name: 'Green Tea', price: 1000, barcode: TEA, taxClass: 'zero', stock: 10 })
  await createProduct(fixture, { name: 'Tea Cup', price: 1000, barcode: CUP, taxClass: 'zero', stock: 10 })
  return signInAtTill(visit, fixture.users.cashier.email)
}

async function scan(page: any, code: string) {
  await htmxIdle(page, { requests: false })
  await page.getByLabel('Scan or search').fill(code)
  await page.getByLabel('Scan or search').press('Enter')
}

/**
 * Green Tea and a Tea Cup scanned, then 40% off the tea (20% of the sale). The discount form is
 * wired by htmx first: an Enter before that sent it as a plain form, never to the cart
 */
async function teaAtFortyOffAndCup(page: any) {
  for (const [code, name] of [[TEA, 'Green Tea'], [CUP, 'Tea Cup']]) {
    await scan(page, code)
    await page.locator('.cart-line', { hasText: name }).waitFor()
  }
  await htmxIdle(page)
  await page.getByRole('button', { name: 'Discount on Green Tea' }).click()
  await page.getByLabel('Discount value for Green Tea').waitFor()
  await htmxIdle(page)
  await page.getByLabel('Discount value for Green Tea').fill('40')
  await page.getByLabel('Discount value for Green Tea').press('Enter')
  await page.locator('.cart-line .badge', { hasText: '(40%)' }).waitFor()
}

/**
 * A store whose discount limit is 30%, a cashier's cart of Green Tea at 40% off and a Tea Cup, and
 * the cup's removal (40% of the sale alone) waiting for a manager's PIN. Two teas would be 27%.
 */
async function cupRemovalAwaitingApproval(visit: any) {
  const fixture = await createStore()
  await db.from('stores').where('id', fixture.store.id).update({ discount_limit: 3000 })
  const page = await cashierTill(visit, fixture)
  await teaAtFortyOffAndCup(page)
  await htmxIdle(page)
  await page.getByRole('button', { name: 'Remove Tea Cup' }).click()
  await page.getByLabel('PIN of a manager, to approve this change').waitFor()
  await htmxIdle(page)
  return page
}

/** Every request the page sends from now on: its method, address and body */
function requests(page: any) {
  const sent: { method: string; url: string; body: string }[] = []
  page.on('request', (request: any) => sent.push({ method: request.method(), url: request.url(), body: request.postData() ?? '' }))
  return sent
}
/** The requests sent to the search or the scan */
const searchesAndScans = (sent: { url: string }[]) => sent.filter((r) => /\/till\/(search|scan)\b/.test(r.url))

const focused = (page: any) => page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label'))

test.group('Till discount approval in Chromium', () => {
  test("removing a line past the discount limit: the cashier's till asks for a manager's PIN there and then", async ({ visit, assert }) => {
    const fixture = await createStore()
    const page = await cashierTill(visit, fixture)
    // 40% off the tea is 20% of the sale: within the limit
    await teaAtFortyOffAndCup(page)

    // Without the cup it would be 40%: refused, with a PIN field for the manager
    await htmxIdle(page)
    await page.getByRole('button', { name: 'Remove Tea Cup' }).click()
    const pin = page.getByLabel('PIN of a manager, to approve this change')
    await pin.waitFor()
    assert.include(await page.locator('#till-message .alert').textContent(), 'this one comes to 40%')
    assert.equal(await page.locator('.cart-line').count(), 2)
    // The scan field keeps the focus: the next code scanned is a scan, not a guess at the PIN
    await htmxIdle(page)
    assert.equal(await focused(page), 'Scan or search')

    await pin.fill(PINS.manager)
    await pin.press('Enter')
    await page.locator('.cart-line', { hasText: 'Tea Cup' }).waitFor({ state: 'detached' })
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#till-message').textContent.trim() === '')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').firstOrFail()
    assert.deepInclude(sale, { discount_total: 400, discount_approved_bp: 4000, discount_approved_amount: 400 })
    const audit = await db.from('audit_logs').where({ subject_id: sale.id, action: 'discount_approved' }).firstOrFail()
    assert.equal(JSON.parse(audit.data).approvedBy, fixture.users.manager.id)
  })

  test("scanning one more item under a manager's approved discount: a PIN there and then adds it; a wrong PIN is said at the field", async ({ visit, assert }) => {
    const fixture = await createStore()
    await db.from('stores').where('id', fixture.store.id).update({ discount_limit: 1000 })
    const page = await cashierTill(visit, fixture)
    await scan(page, TEA)
    await page.locator('.cart-line', { hasText: 'Green Tea' }).waitFor()

    // 15% off the sale, past the 10% limit: approved with the manager's PIN
    await htmxIdle(page)
    await page.getByLabel('Cart discount value').fill('15')
    await page.getByLabel('PIN of a manager, for a discount over 10%').fill(PINS.manager)
    await page.getByLabel('PIN of a manager, for a discount over 10%').press('Enter')
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="discounts"]')?.textContent.includes('1.50'))

    // The customer remembers a cup: 15% of it too is more than the amount approved
    await scan(page, CUP)
    const pin = page.getByLabel('PIN of a manager, to approve this change')
    await pin.waitFor()
    assert.include(await page.locator('#till-message .alert').textContent(), 'more than the amount a manager approved on this sale')
    assert.equal(await page.getByRole('button', { name: 'Approve adding Tea Cup' }).count(), 1)
    assert.equal(await page.locator('.cart-line').count(), 1)
    await htmxIdle(page)
    assert.equal(await focused(page), 'Scan or search')

    // The cashier's own PIN: said at the field, which keeps the focus; nothing added
    await pin.fill(PINS.cashier)
    await pin.press('Enter')
    await page.locator('#change-approval-pin-error', { hasText: 'That is not a manager' }).waitFor()
    assert.equal(await page.getByLabel('PIN of a manager, to approve this change').getAttribute('aria-invalid'), 'true')
    await htmxIdle(page)
    assert.equal(await focused(page), 'PIN of a manager, to approve this change')
    assert.equal(await page.locator('.cart-line').count(), 1)

    await page.getByLabel('PIN of a manager, to approve this change').fill(PINS.manager)
    await page.getByLabel('PIN of a manager, to approve this change').press('Enter')
    await page.locator('.cart-line', { hasText: 'Tea Cup' }).waitFor()
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#till-message').textContent.trim() === '')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').firstOrFail()
    assert.deepInclude(sale, { discount_total: 300, discount_approved_bp: 1500, discount_approved_amount: 300 })
    const audits = await db.from('audit_logs').where({ subject_id: sale.id, action: 'discount_approved' }).orderBy('id')
    assert.deepEqual(audits.map((a) => JSON.parse(a.data).amount), [150, 300])
    assert.equal(JSON.parse(audits[1].data).approvedBy, fixture.users.manager.id)
  })

  test("a manager's PIN typed into the scan field while a change waits for approval is never sent as a search or a scan: held there, F11 takes it to the PIN field", async ({ visit, assert }) => {
    const fixture = await createStore()
    const page = await cashierTill(visit, fixture)
    const sent = requests(page)
    // Digits typed with no approval open are searched for, as ever
    await htmxIdle(page)
    await page.getByLabel('Scan or search').pressSequentially('4006', { delay: 50 })
    await page.waitForResponse((response: any) => response.url().includes('/till/search') && response.url().includes('4006'))
    await page.getByLabel('Scan or search').fill('')
    await teaAtFortyOffAndCup(page)
    await htmxIdle(page)
    await page.getByRole('button', { name: 'Remove Tea Cup' }).click()
    const pin = page.getByLabel('PIN of a manager, to approve this change')
    await pin.waitFor()
    await htmxIdle(page)
    assert.equal(await focused(page), 'Scan or search')
    const opened = sent.length

    // The manager types the PIN at once, slowly enough for the live search to fire after each digit, then Enter
    await page.keyboard.type(PINS.manager, { delay: 300 })
    await page.waitForTimeout(400)
    await page.keyboard.press('Enter')
    await htmxIdle(page)
    await page.waitForTimeout(300)
    // Neither its digits as they were typed nor the whole was sent anywhere as a search or a scan
    assert.deepEqual(searchesAndScans(sent.slice(opened)), [])
    // It stays in the scan field, which keeps the focus, and the hint says what F11 and Enter do
    assert.equal(await page.getByLabel('Scan or search').inputValue(), PINS.manager)
    assert.equal(await focused(page), 'Scan or search')
    assert.isTrue(await page.locator('[data-pin-held]').isVisible())
    assert.equal(await pin.inputValue(), '')
    // F11 takes it to the PIN field, which gets the focus, the scan field emptied, and the hint says so
    await page.keyboard.press('F11')
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('aria-label') === 'PIN of a manager, to approve this change')
    assert.deepEqual(searchesAndScans(sent.slice(opened)), [])
    assert.equal(await pin.inputValue(), PINS.manager)
    assert.equal(await page.getByLabel('Scan or search').inputValue(), '')
    assert.equal(await focused(page), 'PIN of a manager, to approve this change')
    assert.isTrue(await page.locator('[data-pin-moved]').isVisible())
    assert.equal(await page.locator('.cart-line').count(), 2)

    // Enter there approves the removal
    await page.keyboard.press('Enter')
    await page.locator('.cart-line', { hasText: 'Tea Cup' }).waitFor({ state: 'detached' })
    const approval = sent.find((r) => r.url.includes('/till/items/') && r.body.includes(PINS.manager))
    assert.equal(approval?.method, 'PATCH')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').firstOrFail()
    assert.deepInclude(sale, { discount_total: 400, discount_approved_bp: 4000 })
  })

  test('F11 puts the focus in the PIN field of an approval; a barcode scanned while it is open is a scan as before', async ({ visit, assert }) => {
    const fixture = await createStore()
    await db.from('stores').where('id', fixture.store.id).update({ discount_limit: 1000 })
    const page = await cashierTill(visit, fixture)
    await scan(page, TEA)
    await page.locator('.cart-line', { hasText: 'Green Tea' }).waitFor()
    await htmxIdle(page)
    await page.getByLabel('Cart discount value').fill('15')
    await page.getByLabel('PIN of a manager, for a discount over 10%').fill(PINS.manager)
    await page.getByLabel('PIN of a manager, for a discount over 10%').press('Enter')
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="discounts"]')?.textContent.includes('1.50'))
    await scan(page, CUP)
    const pin = page.getByLabel('PIN of a manager, to approve this change')
    await pin.waitFor()
    await htmxIdle(page)
    assert.equal(await focused(page), 'Scan or search')
    // The key is printed beside the field, as on the buttons
    assert.equal(await page.locator('.change-approval kbd').textContent(), 'F11')
    assert.equal(await pin.getAttribute('aria-keyshortcuts'), 'F11')

    // A PIN's first digits typed in the scan field go with F11 to the PIN field, never searched for
    const sent = requests(page)
    await page.keyboard.type('22', { delay: 300 })
    await page.waitForTimeout(400)
    await page.keyboard.press('F11')
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('aria-label') === 'PIN of a manager, to approve this change')
    assert.equal(await pin.inputValue(), '22')
    assert.deepEqual(searchesAndScans(sent), [])
    await page.keyboard.type('22')
    assert.equal(await pin.inputValue(), '2222')

    // F2, and a scanned EAN-13: sent as a scan (refused in its turn: more goods under the approved discount)
    await page.keyboard.press('F2')
    assert.equal(await focused(page), 'Scan or search')
    await page.keyboard.type(TEA)
    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: 'Approve adding Green Tea' }).waitFor()
    assert.isTrue(sent.some((r) => r.method === 'POST' && r.url.endsWith('/till/scan') && r.body.includes(TEA)))
    await htmxIdle(page)
    assert.equal(await focused(page), 'Scan or search')

    // A short product code (a PLU) scanned while it is open: held once, never put in the PIN field
    // (it would count as a wrong PIN), scanned by a second Enter; the held digits are selected, so
    // a barcode scanned instead replaces them
    const before = sent.length
    await page.keyboard.type('4011')
    await page.keyboard.press('Enter')
    await page.locator('[data-pin-held]').waitFor()
    assert.deepEqual(searchesAndScans(sent.slice(before)), [])
    assert.equal(await page.getByLabel('PIN of a manager, to approve this change').inputValue(), '')
    // (scanned with its Enter, as a scanner sends it: left typed, the search for it went 200 ms after
    // its last key, and on a loaded machine that came before the test's next step; its answer took
    // the approval off the message area, as anything the cashier does since does)
    await page.keyboard.type(CUP)
    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: 'Approve adding Tea Cup' }).waitFor()
    assert.deepEqual(sent.slice(before).filter((r) => r.url.endsWith('/till/scan')).map((r) => new URLSearchParams(r.body).get('code')), [CUP])
    await htmxIdle(page)
    // Typed again, held again; Enter once more scans it
    const held = sent.length
    await page.getByLabel('Scan or search').fill('4011')
    await page.keyboard.press('Enter')
    await page.locator('[data-pin-held]').waitFor()
    await page.waitForTimeout(200)
    assert.deepEqual(searchesAndScans(sent.slice(held)), [])
    const scanned = page.waitForRequest((request: any) => request.url().endsWith('/till/scan') && (request.postData() ?? '').includes('4011'))
    await page.keyboard.press('Enter')
    await scanned
    await htmxIdle(page)
    assert.isTrue(sent.slice(held).some((r) => r.method === 'POST' && r.url.endsWith('/till/scan') && r.body.includes('4011')))
  })

  test('digits held while an approval was open are forgotten once it is gone: still in the scan field under the next approval, they are held again, not scanned', async ({ visit, assert }) => {
    const page = await cupRemovalAwaitingApproval(visit)
    // The manager types the PIN into the scan field: held
    const sent = requests(page)
    await page.keyboard.type(PINS.manager)
    await page.keyboard.press('Enter')
    await page.locator('[data-pin-held]').waitFor()

    // The cashier does otherwise (one more tea: 27%, allowed): the approval is gone, the digits stay
    await htmxIdle(page)
    await page.getByRole('button', { name: 'One more Green Tea' }).click()
    await page.getByLabel('PIN of a manager, to approve this change').waitFor({ state: 'detached' })
    await page.getByLabel('Quantity of Green Tea').and(page.locator('[value="2"]')).waitFor()
    assert.equal(await page.getByLabel('Scan or search').inputValue(), PINS.manager)

    // A new approval (the cup's removal again: 40% now); Enter in the scan field holds the digits
    // again, as the first time: they are not the code that the first approval's hint said Enter scans
    await htmxIdle(page)
    await page.getByRole('button', { name: 'Remove Tea Cup' }).click()
    await page.getByLabel('PIN of a manager, to approve this change').waitFor()
    await htmxIdle(page)
    await page.keyboard.press('F2')
    await page.keyboard.press('Enter')
    // (a scan sent instead answers with the cart: the hint never shows)
    await page.locator('[data-pin-held]').waitFor({ timeout: 5_000 }).catch(() => {})
    await htmxIdle(page)
    await page.waitForTimeout(300)
    assert.deepEqual(searchesAndScans(sent), [], 'the PIN was never sent as a search or a scan')
    assert.isTrue(await page.locator('[data-pin-held]').isVisible())
    assert.equal(await page.getByLabel('Scan or search').inputValue(), PINS.manager)
    assert.equal(await page.locator('.cart-line').count(), 2)
  })
  test('digits typed under the PIN form are not searched for when the form goes before the search would (200 ms after the last key)', async ({ visit, assert }) => {
    const page = await cupRemovalAwaitingApproval(visit)

    // The manager types the PIN into the scan field, and the cashier taps + at once: the form is
    // gone (27%, allowed) before the search's delay is over
    const sent = requests(page)
    await page.keyboard.type(PINS.manager)
    await page.getByRole('button', { name: 'One more Green Tea' }).click()
    await page.getByLabel('PIN of a manager, to approve this change').waitFor({ state: 'detached' })
    await page.waitForTimeout(600)
    await htmxIdle(page)
    assert.deepEqual(searchesAndScans(sent), [], 'the PIN was never sent as a search')
    assert.equal(await page.getByLabel('Scan or search').inputValue(), PINS.manager)

    // Typed again with no PIN form shown, digits are searched for as ever
    const searched = page.waitForRequest((request: any) => request.url().includes('/till/search?code=22221'))
    await page.getByLabel('Scan or search').press('End')
    await page.keyboard.type('1')
    await searched
  })
})
