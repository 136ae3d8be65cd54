/**
 * Waits until htmx has no swap or settle under way (and, unless `requests` is false, no request in
 * flight). htmx wires what it swapped in when the swap settles, 20 ms later: a click or a key a
 * test sends before that lands on a button htmx has not wired yet, and does nothing.
 */
export function htmxIdle(page: any, { requests = true } = {}) {
  const busy = requests ? '.htmx-request, .htmx-swapping, .htmx-settling' : '.htmx-swapping, .htmx-settling'
  return page.waitForFunction((selector: string) => !(globalThis as any).document.querySelector(selector), busy)
}
