/*
 * Live stock and sales (server-sent events through Transmit). Every element with
 * data-stock-of="<product id>" shows that product's on-hand figure and is updated in place;
 * fragments that listen for the pos:stock / pos:sale / pos:resync events (hx-trigger) re-fetch
 * themselves.
 *
 * A message missed is never the only copy: after a gap the page reads again what it shows, the
 * figures of its [data-stock-of] elements (one request, /live/stock) and its fragments (pos:resync),
 * and nothing else, so a cashier's cart and typed text stay. A gap ends when
 *  - the page's own stream is back (the server restarted, the stream dropped) and its channels
 *    are subscribed again: reading earlier could miss a change made before the subscription;
 *  - its server says `resync`: its subscription to the other servers' broadcasts (Redis) was
 *    down a while (app/platform/live_transport.ts);
 *  - a message says `refresh` (a change too big for one message: an import).
 * A browser gives up an event stream answered with an error (a load balancer's 502 while the
 * server restarts): this one opens it again, at growing intervals up to 30 s, unless the answer
 * was the session's end (signed out in another tab, expired): then it stops for good, the body
 * says data-live="signed-out" and a pos:signed-out event goes to the page (the till shows its
 * "Signed out" status with a Sign in link; elsewhere the next click meets the sign-in page).
 */
import { Transmit } from '/vendor/transmit.js'

const storeId = document.body.dataset.liveStore
const shown = () => [...new Set([...document.querySelectorAll('[data-stock-of]')].map((el) => el.dataset.stockOf))]

function apply(products) {
  for (const product of products) {
    for (const el of document.querySelectorAll(`[data-stock-of="${product.id}"]`)) {
      el.textContent = String(product.stock)
      el.classList.toggle('stock-low', product.low)
      el.classList.toggle('stock-out', product.stock <= 0)
    }
  }
}

async function readAgain() {
  const ids = shown()
  if (ids.length) {
    const response = await fetch(`/live/stock?ids=${ids.slice(0, 500).join(',')}`, { headers: { accept: 'application/json' } })
    if (response.ok) apply((await response.json()).products)
  }
  document.dispatchEvent(new CustomEvent('pos:resync'))
}

// One read at a time; a message heard meanwhile may be newer than what the read returns, so
// the page reads once more after it
let reading = null
let readAfter = false
function catchUp() {
  if (reading) {
    readAfter = true
    return
  }
  reading = readAgain()
    .catch(() => {})
    .finally(() => {
      reading = null
      if (readAfter) {
        readAfter = false
        catchUp()
      }
    })
}

/**
 * Has the session ended? A browser tells nothing of the answer that made it give a stream up, so
 * the server is asked (GET /__transmit/signed-in: 204 while signed in). 401, 403, 419 or a
 * redirect (to the sign-in page) mean ended; no answer or a balancer's 5xx mean "not known": the
 * stream is tried again.
 */
async function sessionEnded() {
  try {
    const response = await fetch('/__transmit/signed-in', { credentials: 'same-origin', cache: 'no-store', redirect: 'manual', signal: AbortSignal.timeout(8000) })
    return response.type === 'opaqueredirect' || [401, 403, 419].includes(response.status)
  } catch {
    return false
  }
}

/**
 * An EventSource that opens again when the browser gave it up (it stays closed after an error
 * answer), and stops for good, with a `signedout` event, when the session has ended: retrying
 * then only met 401s every 30 s for as long as the page stayed open.
 */
class LastingEventSource extends EventTarget {
  #source = null
  #closed = false
  #delay = 1000

  constructor(url, options) {
    super()
    this.#open(url, options)
  }

  #open(url, options) {
    const source = (this.#source = new EventSource(url, options))
    source.addEventListener('open', () => {
      this.#delay = 1000
      this.dispatchEvent(new Event('open'))
    })
    source.addEventListener('message', (event) => this.dispatchEvent(new MessageEvent('message', { data: event.data })))
    source.addEventListener('error', () => {
      this.dispatchEvent(new Event('error'))
      if (source.readyState !== EventSource.CLOSED || this.#closed) return
      void this.#openLater(url, options)
    })
  }

  async #openLater(url, options) {
    if (await sessionEnded()) {
      if (this.#closed) return
      this.#closed = true
      this.dispatchEvent(new Event('signedout'))
      return
    }
    setTimeout(() => this.#closed || this.#open(url, options), this.#delay)
    this.#delay = Math.min(this.#delay * 2, 30_000)
  }

  close() {
    this.#closed = true
    this.#source.close()
  }
}

function start() {
  const channels = [`stores/${storeId}/stock`, `stores/${storeId}/sales`]
  // Subscribing is a POST: it carries the page's CSRF token (the one htmx sends), so no
  // XSRF-TOKEN cookie has to be encrypted and set on every answer for it
  const csrf = JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrf-token'] || ''
  const withCsrf = (request) => request.headers.set('X-CSRF-TOKEN', csrf)
  // The channels still to subscribe again after the stream came back: then the page catches up
  let resubscribing = null
  const transmit = new Transmit({
    baseUrl: window.location.origin,
    maxReconnectAttempts: 0,
    eventSourceFactory: (url, options) => {
      const source = new LastingEventSource(url, options)
      source.addEventListener('signedout', () => {
        document.body.dataset.live = 'signed-out'
        document.dispatchEvent(new CustomEvent('pos:signed-out'))
      })
      return source
    },
    beforeSubscribe: withCsrf,
    beforeUnsubscribe: withCsrf,
    onSubscription: (channel) => {
      if (!resubscribing) return
      resubscribing.delete(channel)
      if (resubscribing.size) return
      resubscribing = null
      catchUp()
    },
  })
  window.posLive = transmit
  let connections = 0
  transmit.on('connected', () => {
    connections++
    document.body.dataset.live = 'connected'
    // The client subscribes its channels again on its own (onSubscription above)
    if (connections > 1) resubscribing = new Set(channels)
  })
  transmit.on('disconnected', () => {
    document.body.dataset.live = 'disconnected'
  })

  // Two channels' resync messages (one gap) make one read
  let resyncTimer
  const resyncSoon = () => {
    clearTimeout(resyncTimer)
    resyncTimer = setTimeout(catchUp, 50)
  }
  const stock = transmit.subscription(channels[0])
  stock.onMessage((message) => {
    if (message.resync) return resyncSoon()
    if (message.refresh) catchUp()
    else {
      if (reading) readAfter = true
      apply(message.products || [])
    }
    document.dispatchEvent(new CustomEvent('pos:stock', { detail: message }))
  })
  const sales = transmit.subscription(channels[1])
  sales.onMessage((message) => {
    if (message.resync) return resyncSoon()
    document.dispatchEvent(new CustomEvent('pos:sale', { detail: message }))
  })
  Promise.all([stock.create(), sales.create()]).then(
    () => (document.body.dataset.liveSubscribed = 'true'),
    () => (document.body.dataset.live = 'refused')
  )
}

// After the page's own first requests (the till's grid, htmx), so the stream never delays them
if (storeId && window.EventSource) {
  if (document.readyState === 'complete') start()
  else window.addEventListener('load', start, { once: true })
}
