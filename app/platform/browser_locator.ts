import { access, constants } from 'node:fs/promises'
import { DomainError } from '#exceptions/domain_error'

/*
| Which Chromium renders PDFs and drives the browser tests. A store's server may have no browser
| from its system's packages, so after CHROMIUM_PATH and a system Chrome or Chromium, the one
| that ships inside the npm package @sparticuz/chromium is unpacked (to /tmp on first use) and
| used. Found once per process; a browser that cannot be found is a BrowserUnavailableError that
| says what to install, never a crash.
*/

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
]

/** Flags every headless launch needs here: without them Chromium tries the network and stalls */
export const HEADLESS_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export interface LocatedBrowser {
  executablePath: string
  args: string[]
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium'
}

/** A 503 where the user is: the PDF cannot be made on this server until a browser is there */
export class BrowserUnavailableError extends DomainError {
  constructor(reason: string) {
    super(
      `No Chromium to render PDFs (${reason}). Set CHROMIUM_PATH to a Chrome or Chromium, install one ` +
        '(apt-get install chromium), or reinstall the npm dependencies so that @sparticuz/chromium is present.',
      { status: 503, code: 'browser_unavailable' }
    )
  }
}

async function executable(path: string) {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

async function locate(): Promise<LocatedBrowser> {
  const named = process.env.CHROMIUM_PATH
  if (named) {
    if (await executable(named)) return { executablePath: named, args: HEADLESS_ARGS, source: 'CHROMIUM_PATH' }
    throw new BrowserUnavailableError(`CHROMIUM_PATH=${named} is not an executable file`)
  }
  if (process.env.CHROMIUM_SKIP_SYSTEM !== '1') {
    for (const path of SYSTEM_BROWSERS) {
      if (await executable(path)) return { executablePath: path, args: HEADLESS_ARGS, source: 'system' }
    }
  }
  try {
    const { default: packaged } = await import('@sparticuz/chromium')
    const executablePath = await packaged.executablePath()
    // Only our flags: the package's own (--single-process, --disable-web-security) are for one-page
    // serverless runs, and break Playwright's browser contexts and the Content-Security-Policy
    return { executablePath, args: HEADLESS_ARGS, source: '@sparticuz/chromium' }
  } catch (error) {
    throw new BrowserUnavailableError(`no system browser, and @sparticuz/chromium failed: ${(error as Error).message}`)
  }
}

let located: Promise<LocatedBrowser> | null = null

export function locateBrowser(): Promise<LocatedBrowser> {
  located ??= locate().catch((error) => {
    located = null
    throw error
  })
  return located
}

/** Look again on the next use (after CHROMIUM_PATH changed, or a browser was installed) */
export function forgetBrowserLocation() {
  located = null
}
