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
