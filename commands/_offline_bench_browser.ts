/*
| The part of node ace pos:bench-offline that needs a real browser: offline scan to the line on
| screen. Headless Chromium (puppeteer-core, the browser app/platform/browser_locator.ts finds)
| signs in at the till, waits until the offline till holds the whole catalog (every product in
| IndexedDB), then the server is stopped: a scan fails, the till turns to its offline screen, and
| barcodes are scanned there. Each scan is timed inside the page (performance.now()): from the
| scan's submit to the new line in the cart's DOM (what the next frame paints), and to the next
| animation frame after it.
*/
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ScanTimings {
  /** Submit to the line in the DOM, ms, in scan order */
  toDom: number[]
  /** Submit to the next animation frame after the line is in the DOM, ms */
  toFrame: number[]
  /** How long the till took to hold the whole catalog, s */
  catalogSeconds: number
  products: number
}

export async function benchOfflineScans(options: {
  baseUrl: string
  email: string
  password: string
  registerName: string
  codes: string[]
  scans: number
  /** Stops the server: the till is then offline */
  stopServer: () => Promise<void>
  log: (message: string) => void
}): Promise<ScanTimings> {
  const puppeteer = (await import('puppeteer-core')).default
  const { locateBrowser } = await import('#platform/browser_locator')
  const { executablePath, args } = await locateBrowser()
  const profile = mkdtempSync(join(tmpdir(), 'offline-bench-'))
  const browser = await puppeteer.launch({ executablePath, args, headless: true, userDataDir: profile, protocolTimeout: 600_000 })
  try {
    const page = (await browser.pages())[0] ?? (await browser.newPage())
    page.on('dialog', (dialog) => dialog.accept())
    page.on('pageerror', (error) => options.log(`page error: ${(error as Error).message}`))
    page.setDefaultTimeout(60_000)
    await page.goto(`${options.baseUrl}/login`)
    await page.type('input[name="email"]', options.email)
    await page.type('input[name="password"]', options.password)
    await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type="submit"]')])
    if (!page.url().includes('/till')) await page.goto(`${options.baseUrl}/till`)
    // The register picker, when the till has none chosen yet
    const picked = await page.evaluate((name) => {
      const doc = (globalThis as any).document
      const buttons = [...doc.querySelectorAll('form[action="/till/register"] button')] as any[]
      const button = buttons.find((b) => b.textContent.trim().includes(name))
      button?.click()
      return !!button
    }, options.registerName)
    if (picked) await page.waitForNavigation()
    await page.waitForSelector('#scan-input')

    // The offline till loads after the page's load event, then loads the catalog by pages
    const loadStart = Date.now()
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.offlineReady === 'yes', { timeout: 900_000, polling: 500 })
    await page.evaluate(() => (globalThis as any).navigator.serviceWorker.ready)
    const catalogSeconds = (Date.now() - loadStart) / 1000
    const products = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = (globalThis as any).indexedDB.open('open-pos-till')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const count = open.result.transaction('products').objectStore('products').count()
            count.onsuccess = () => resolve(count.result)
            count.onerror = () => reject(count.error)
          }
        })
    )
    options.log(`the till holds ${products} products (${catalogSeconds.toFixed(0)} s after the page loaded)`)

    await options.stopServer()
    // The cashier scans with the server gone: the request fails and the till turns offline
    await page.type('#scan-input', options.codes[0])
    await page.keyboard.press('Enter')
    await page.waitForSelector('#offline-till:not([hidden]) #offline-scan', { timeout: 60_000 })

    const timings = await page.evaluate(
      async (codes: string[], scans: number) => {
        const doc = (globalThis as any).document
        const w = globalThis as any
        const input = doc.getElementById('offline-scan')
        const form = input.closest('form')
        const cart = doc.getElementById('offline-cart')
        const lines = () => cart.querySelectorAll('.cart-line').length
        const toDom: number[] = []
        const toFrame: number[] = []
        const voidCart = async () => {
          const button = [...cart.querySelectorAll('button')].find((b: any) => b.textContent.trim() === 'Void') as any
          if (!button || button.disabled) return
          button.click()
          await new Promise((resolve) => {
            const poll = () => (lines() === 0 ? resolve(null) : setTimeout(poll, 5))
            poll()
          })
        }
        await voidCart()
        for (let i = 0; i < scans; i++) {
          // Baskets of up to 20 lines, as real ones; the void is not timed
          if (i % 20 === 0) await voidCart()
          const before = lines()
          const code = codes[i % codes.length]
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`scan ${code}: no line after 5 s`)), 5000)
            let started = 0
            const observer = new w.MutationObserver(() => {
              if (lines() <= before) return
              const inDom = w.performance.now()
              observer.disconnect()
              clearTimeout(timer)
              toDom.push(inDom - started)
              w.requestAnimationFrame(() => {
                toFrame.push(w.performance.now() - started)
                resolve()
              })
            })
            observer.observe(cart, { childList: true, subtree: true })
            input.value = code
            started = w.performance.now()
            form.requestSubmit()
          })
          // Idle a little between scans, as between two items at a till
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        return { toDom, toFrame }
      },
      options.codes.slice(1),
      options.scans
    )
    return { ...timings, catalogSeconds, products }
  } finally {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  }
}
