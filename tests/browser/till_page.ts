import { PASSWORD } from '#tests/fixtures'

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
