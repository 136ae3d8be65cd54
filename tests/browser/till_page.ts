import db from '@adonisjs/lucid/services/db'
import { PASSWORD, createProduct, createStore } from '#tests/fixtures'

/*
| The till page as a cashier opens it in the browser specs: signed in through the login form, then
| Register 1 chosen (the fixture store has two registers), the page's scripts ready.
*/

export interface TillPageOptions {
  /** Another server than the test one (a child server, a proxy in front of it) */
  origin?: string
  /** Without a service worker in this context: once the offline till's worker controls the page, page.route() no longer sees its requests */
  withoutServiceWorkerIn?: any
  /** Wait until live.js has subscribed its channels */
  liveSubscribed?: boolean
}

export async function signInAtTill(visit: any, email: string, options: TillPageOptions = {}) {
  if (options.withoutServiceWorkerIn) {
    await options.withoutServiceWorkerIn.addInitScript(() => delete (globalThis as any).Navigator.prototype.serviceWorker)
  }
  const page = await visit(`${options.origin ?? ''}/login`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Register 1' }).click()
  await page.getByLabel('Scan or search').waitFor()
  await page.waitForFunction(() => (globalThis as any).htmx && (globalThis as any).Alpine)
  if (options.liveSubscribed) await page.waitForSelector('body[data-live-subscribed="true"]')
  return page
}

/**
 * A scanner's keys into the focused field, typed in the page in one go (as a wedge scanner types,
 * Shift before a capital): keys sent one by one from the test could come more than the till's 50 ms
 * apart on a loaded machine, and read as typed by hand
 */
export async function scannerKeys(page: any, code: string) {
  await page.evaluate((text: string) => {
    const field = (globalThis as any).document.activeElement
    const key = (name: string, shiftKey = false) => field.dispatchEvent(new (globalThis as any).KeyboardEvent('keydown', { key: name, shiftKey, bubbles: true, cancelable: true }))
    for (const char of text) {
      const capital = char !== char.toLowerCase()
      if (capital) key('Shift', true)
      if (key(char, capital)) {
        field.value += char
        field.dispatchEvent(new Event('input', { bubbles: true }))
      }
    }
    key('Enter')
  }, code)
}

/* The scans of the rush-hour specs (till_rush, till_scan_hold): a fast scanner, a slow network */

/**
 * Requests held on their way to the server until the test lets them go: `release()` waits until
 * at least one is held, then sends every one held so far (`fail`: their connection fails
 * instead). A network slowed by a set time answered before the test's next step on a loaded
 * machine: a payment meant to wait for a scan found it answered and went at once
 */
export async function heldRequests(page: any, pattern: string) {
  let waiting: Array<(fail: boolean) => void> = []
  await page.route(pattern, async (route: any) => {
    const fail = await new Promise<boolean>((resolve) => waiting.push(resolve))
    await (fail ? route.abort('connectionfailed') : route.continue())
  })
  return {
    async release({ fail = false } = {}) {
      const since = Date.now()
      while (!waiting.length) {
        if (Date.now() - since > 10_000) throw new Error(`No request to ${pattern} was held`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      const held = waiting
      waiting = []
      for (const go of held) go(fail)
    },
  }
}

/** A keyboard-wedge scanner: the code's characters 5 ms apart, then Enter, into the focused field */
export async function wedgeScan(page: any, code: string) {
  await page.keyboard.type(code, { delay: 5 })
  await page.keyboard.press('Enter')
}

/** A store selling Cola ($10.00, 5000112637922) and Gum ($2.50, 4006381333931), and its cashier's till */
export async function colaAndGumTill(visit: any, browserContext: any) {
  const fixture = await createStore()
  await createProduct(fixture, { name: 'Cola', price: 1000, barcode: '5000112637922', stock: 50 })
  await createProduct(fixture, { name: 'Gum', price: 250, barcode: '4006381333931', stock: 50 })
  const page = await signInAtTill(visit, fixture.users.cashier.email, { withoutServiceWorkerIn: browserContext })
  return { fixture, page }
}

/** The cart's lines on screen, as "Cola x2" */
export const cartLines = (page: any) =>
  page.locator('#cart-lines .cart-line').evaluateAll((items: any[]) => items.map((li) => `${li.querySelector('.name').textContent} x${li.querySelector('input[name=quantity]').value}`))

/** The sale lines saved for the store's sales, all of them, as "Cola x2" */
export async function savedLines(storeId: number) {
  const rows = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.store_id', storeId).orderBy('sale_items.id').select('sale_items.name', 'sale_items.quantity')
  return rows.map((row) => `${row.name} x${row.quantity}`)
}
