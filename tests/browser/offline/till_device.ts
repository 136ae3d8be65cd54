import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright'
import { locateBrowser } from '#platform/browser_locator'
import { PASSWORD, type TestStore } from '#tests/fixtures'
import { startCapturedServer, type CapturedServer } from '../../functional/operations/server_child.js'

/*
| The offline till's tests need what the other browser tests do not: a server they can kill and
| start again (a child process on its own port, sessions in cookies so they outlive it, the test
| database), and a browser profile on disk that outlives the browser (a till closed and opened
| again keeps its service worker and IndexedDB). Each page's security-policy violations are
| collected as tests/browser_guard.ts does for the suite's own pages.
*/

const SECURITY = /Content Security Policy|CSP violation|Alpine Expression Error|CSP Parser Error/i

export class TillServer {
  server: CapturedServer | null = null
  constructor(
    readonly port: number,
    readonly env: Record<string, string> = {}
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  async start() {
    this.server = await startCapturedServer(this.port, { SESSION_DRIVER: 'cookie', LOG_LEVEL: 'warn', ...this.env })
  }

  /** Killed, as by a power cut: no draining */
  async kill() {
    await this.server?.stop('SIGKILL')
    this.server = null
  }
}

export class TillBrowser {
  context!: BrowserContext
  readonly violations: string[] = []
  readonly profile = mkdtempSync(join(tmpdir(), 'offline-till-'))

  async open() {
    const { executablePath, args } = await locateBrowser()
    this.context = await chromium.launchPersistentContext(this.profile, { executablePath, args, headless: true })
    await this.context.addInitScript(watchOfflineScreen)
    this.context.on('page', (page) => this.watch(page))
    for (const page of this.context.pages()) this.watch(page)
    return this
  }

  watch(page: Page) {
    page.on('dialog', (dialog) => dialog.accept())
    page.on('pageerror', (error) => console.log('PAGE ERROR', error.message))
    page.on('console', (message) => {
      if (process.env.DEBUG_TILL) console.log('CONSOLE', message.type(), message.text())
      if (['error', 'warning'].includes(message.type()) && SECURITY.test(message.text())) this.violations.push(`${page.url()}: ${message.text()}`)
    })
  }

  async page() {
    return this.context.pages()[0] ?? (await this.context.newPage())
  }

  async close() {
    await this.context?.close()
  }

  async dispose() {
    await this.close()
    rmSync(this.profile, { recursive: true, force: true })
  }
}

/** Signs in on the till server and opens the till on a register, ready to sell offline */
export async function signInAtTill(page: Page, server: TillServer, email: string, register = 'Register 1') {
  const logged = server.server?.output().length ?? 0
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  // A manager lands on the back office: the till is one address away
  if (!page.url().includes('/till')) await page.goto(`${server.url}/till`)
  await page.getByRole('button', { name: register }).click()
  await page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search').waitFor().catch(async (error) => {
    throw new Error(`${error.message}\n${page.url()}\n${(await page.locator('body').innerText()).slice(0, 500)}\n${server.server?.output().slice(logged).slice(0, 3000)}`)
  })
  await waitReady(page)
}

/** The till holds its lease and its catalog copy, and its service worker controls the page */
/** The real server and a till's browser signed in (the store's cashier unless `email` names another) on Register 1; `cleanup` stops both */
export async function openTill(fixture: TestStore, port: number, cleanup: (handler: () => Promise<void>) => void, env: Record<string, string> = {}, email = fixture.users.cashier.email) {
  const server = new TillServer(port, env)
  const till = new TillBrowser()
  cleanup(async () => {
    await till.dispose()
    await server.kill()
  })
  await server.start()
  await till.open()
  const page = await till.page()
  await signInAtTill(page, server, email)
  return { server, till, page }
}

export async function waitReady(page: Page) {
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.offlineReady === 'yes', null, { timeout: 30_000 })
  await page.evaluate(() => (globalThis as any).navigator.serviceWorker.ready)
}

/**
 * Runs in every page before its scripts: counts each time the offline screen was made visible with
 * nothing drawn in it (read by shownEmpty). The observer's callback runs at the first await after
 * the screen is unhidden: a screen shown before it is drawn is seen empty.
 */
function watchOfflineScreen() {
  const page = globalThis as any
  page.offlineScreenShownEmpty = 0
  new page.MutationObserver((records: any[]) => {
    for (const record of records) {
      const el = record.target
      if (el.id === 'offline-till' && !el.hidden && !el.textContent.trim()) page.offlineScreenShownEmpty++
    }
  }).observe(page.document, { subtree: true, attributes: true, attributeFilter: ['hidden'] })
}

/** How many times this page showed the offline screen empty (watchOfflineScreen) */
export function shownEmpty(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as any).offlineScreenShownEmpty)
}

/** The offline screen's part of the page */
export function offline(page: Page) {
  return page.locator('#offline-till')
}

export async function sellOffline(page: Page, codes: string[], pay: { cash?: string; card?: { amount?: string; code: string } } = {}) {
  const till = offline(page)
  const input = till.getByLabel('Scan or search')
  for (const code of codes) {
    await input.fill(code)
    await input.press('Enter')
    await till.locator('.cart-line').first().waitFor()
  }
  if (pay.card) {
    await till.getByRole('button', { name: 'Card (terminal)' }).click()
    if (pay.card.amount) await till.getByLabel('Amount charged on the card machine').fill(pay.card.amount)
    await till.getByLabel('Approval code').fill(pay.card.code)
    await till.getByRole('button', { name: 'Card approved: record payment' }).click()
  }
  if (!pay.card || pay.cash) {
    await till.getByRole('button', { name: 'Cash', exact: true }).click()
    if (pay.cash) await till.getByLabel('Amount tendered').fill(pay.cash)
    await till.getByRole('button', { name: 'Complete sale' }).click()
  }
  await till.getByTestId('offline-receipt').waitFor()
  const number = Number((await till.getByTestId('sale-number').textContent())!.replace('#', ''))
  await till.getByRole('button', { name: 'New sale' }).click()
  await till.getByText('Scan a product or tap one').waitFor()
  return number
}

/**
 * How many sales wait in the page's status (its data-waiting), read once it shows `expected` or
 * after 10 s: the till writes its status after the offline screen appears, from IndexedDB
 */
export async function waiting(page: Page, expected: number) {
  const status = page.locator('#offline-status')
  await page.locator(`#offline-status[data-waiting="${expected}"]`).waitFor({ state: 'attached', timeout: 10_000 }).catch(() => {})
  return Number(await status.getAttribute('data-waiting'))
}
