import puppeteer, { type Browser } from 'puppeteer-core'
import app from '@adonisjs/core/services/app'
import { locateBrowser } from '#platform/browser_locator'

/*
| HTML to PDF through one warm headless Chromium per process: launching a browser costs about
| a second, rendering a page into an open one costs tens of milliseconds. The browser is
| launched on first use and closed when the app terminates. Which browser: browser_locator.ts.
*/

let browser: Promise<Browser> | null = null

function launch(): Promise<Browser> {
  const launched = locateBrowser().then(({ executablePath, args }) => puppeteer.launch({ executablePath, headless: true, args }))
  launched.then(
    (b) => b.on('disconnected', () => (browser = null)),
    () => (browser = null)
  )
  return launched
}

export interface PdfOptions {
  /** 'A4' for invoices and reports; a receipt passes its paper width instead */
  format?: 'A4' | 'Letter'
  width?: string
  margin?: string
}

export async function renderPdf(html: string, options: PdfOptions = {}): Promise<Buffer> {
  browser ??= launch()
  const page = await (await browser).newPage()
  try {
    // The document is self-contained: block every request so rendering never waits on a network
    await page.setRequestInterception(true)
    page.on('request', (request) => (request.url().startsWith('data:') ? request.continue() : request.abort()))
    await page.setContent(html, { waitUntil: 'load' })
    const margin = options.margin ?? '10mm'
    const pdf = await page.pdf({
      format: options.width ? undefined : (options.format ?? 'A4'),
      width: options.width,
      printBackground: true,
      margin: { top: margin, bottom: margin, left: margin, right: margin },
    })
    return Buffer.from(pdf)
  } finally {
    await page.close().catch(() => {})
  }
}

export async function closePdfBrowser() {
  const open = browser
  browser = null
  if (open) await (await open).close().catch(() => {})
}

app.terminating(closePdfBrowser)
