import { decoratorsCollection } from '@japa/browser-client'
import type { BrowserContext, Page } from 'playwright'
import type { Suite } from '@japa/runner/core'

/*
| Every browser test fails when a page breaks its Content-Security-Policy: the page reports each
| violation (a securitypolicyviolation event, which an init script turns into a console error,
| and Chromium's own "Refused to ..." console error), and so does Alpine when its CSP build
| cannot evaluate an expression. Registered once for the browser suite (tests/bootstrap.ts).
*/
const problems = new WeakMap<BrowserContext, string[]>()

const REPORTER = `document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' (' + event.sourceFile + ':' + event.lineNumber + ')')
})`
const SECURITY = /Content Security Policy|CSP violation|Alpine Expression Error|CSP Parser Error/i

decoratorsCollection.register({
  context(context) {
    problems.set(context, [])
    void context.addInitScript({ content: REPORTER })
  },
  page(page: Page, context: BrowserContext) {
    page.on('console', (message) => {
      if (!['error', 'warning'].includes(message.type()) || !SECURITY.test(message.text())) return
      const list = problems.get(context)!
      const line = `${page.url()}: ${message.text()}`
      if (!list.includes(line)) list.push(line)
    })
  },
})

/** What the pages of this browser context reported so far */
export function pageViolations(context: BrowserContext): string[] {
  return problems.get(context) ?? []
}

/** Fails any test of the suite whose pages reported a violation */
export function failOnPageViolations(suite: Suite) {
  const check = (test: any) => {
    const context = test.context?.browserContext as BrowserContext | undefined
    const list = context ? (problems.get(context) ?? []) : []
    if (list.length) throw new Error(`The page reported security policy violations:\n${list.join('\n')}`)
  }
  suite.onGroup((group) => group.each.teardown(check))
  suite.onTest((test) => test.teardown(check))
}
