/*
 * Live stock and sales (server-sent events through Transmit). Every element with
 * data-stock-of="<product id>" shows that product's on-hand figure and is updated in place;
 * fragments that listen for the pos:stock / pos:sale / pos:resync events (hx-trigger) re-fetch
 * themselves.
 *
 * A message missed is never the only copy: after a gap the page reads again what it shows, the
 * figures of its [data-stock-of] elements (one request, /live/stock) and its fragments (pos:resync),
 * and nothing else, so a cashier's cart and typed text stay (a page showing neither makes no
 * request). A gap ends when
 *  - the page's stream is open and its channels are all subscribed: the first time (a change
 *    made between the page's rendering and its subscriptions reached no page), and each time the
 *    stream is back (the server restarted, the stream dropped). Reading earlier could miss a
 *    change made before the subscription. A subscription that fails (refused on the way, no
 *    answer within 8 s, a 5xx) is asked again at growing intervals; one refused 401/403/419 (the session ended, or the page's CSRF
 *    token is stale: signed out and in again in another tab) stops the page as signed out; one
 *    refused 409 store_changed (its store switched in another tab) stops it with a notice;
 *  - its server says `resync`: its subscription to the other servers' broadcasts (Redis) was
 *    down a while (app/platform/live_transport.ts). That server tells all its pages at once, so
 *    each waits a random moment of up to 3 s before it reads;
 *  - a message says `refresh`: a change too big for one message (an import), or a stock message
 *    that left late, whose figures could overwrite newer ones (withoutLateFigures in
 *    app/platform/live_transport.ts).
 * A browser gives up an event stream answered with an error (a load balancer's 502 while the
 * server restarts): this one opens it again, at growing intervals up to 30 s, unless the answer
 * was the session's end (signed out in another tab, expired): then it stops for good, the body
 * says data-live="signed-out" and a pos:signed-out event goes to the page (the till shows its
 * "Signed out" status with a Sign in link; elsewhere the next click meets the sign-in page). One
 * refused because the person has too many pages with live updates open (a 429: a user may hold 50
 * streams on a server, app/platform/live_streams.ts) waits the server's Retry-After (15 s) before
 * each try, and the body says data-live="too-many-streams" until a place is free.
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
 * Why was the stream given up? A browser tells nothing of the answer that made it give a stream
 * up, so the server is asked (GET /__transmit/signed-in: 204 while signed in). 401, 403, 419 or a
 * redirect (to the sign-in page) mean the session ended; a 429 that the person's other pages hold
 * all the streams they may open (not counting this page's uid): wait Retry-After; no answer or a
 * balancer's 5xx mean "not known": the stream is tried again.
 */
async function whyRefused(url) {
  const uid = new URL(url, window.location.href).searchParams.get('uid') ?? ''
  try {
    const response = await fetch(`/__transmit/signed-in?uid=${encodeURIComponent(uid)}`, { credentials: 'same-origin', cache: 'no-store', redirect: 'manual', signal: AbortSignal.timeout(8000) })
    if (response.type === 'opaqueredirect' || [401, 403, 419].includes(response.status)) return { ended: true }
    if (response.status === 429) return { wait: (Number(response.headers.get('retry-after')) || 30) * 1000 }
    return {}
  } catch {
    return {}
  }
}

/**
 * An EventSource that opens again when the browser gave it up (it stays closed after an error
 * answer), and stops for good, with a `signedout` event, when the session has ended: retrying
 * then only met 401s every 30 s for as long as the page stayed open. Refused because the person
 * has too many pages open (a 429), it says so (a `toomany` event) and waits the server's
 * Retry-After before each try.
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
    const { ended, wait = 0 } = await whyRefused(url)
    if (this.#closed) return
    if (ended) {
      this.#closed = true
      this.dispatchEvent(new Event('signedout'))
      return
    }
    if (wait) this.dispatchEvent(new Event('toomany'))
    setTimeout(() => this.#closed || this.#open(url, options), Math.max(this.#delay, wait))
    this.#delay = Math.min(this.#delay * 2, 30_000)
  }

  close() {
    this.#closed = true
    this.#source.close()
  }
}

/** The code of an error answer ({ errors: [{ code }] }), read from a copy: Transmit's client may read it too */
async function refusal(response) {
  try {
    return (await response.clone().json()).errors?.[0]?.code
  } catch {
    return undefined
  }
}

/** How long a subscription may go unanswered before it is asked again */
const SUBSCRIBE_ANSWER_MS = 8000

/** A server's `resync` goes to all its pages at once: each waits up to this long, at random, to read */
const RESYNC_SPREAD_MS = 3000

function start() {
  const channels = [`stores/${storeId}/stock`, `stores/${storeId}/sales`]
  // Subscribing is a POST: it carries the page's CSRF token (the one htmx sends), so no
  // XSRF-TOKEN cookie has to be encrypted and set on every answer for it
  const csrf = JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrf-token'] || ''

  // Which stream the page holds (one more each time it opens), and the channels not yet
  // subscribed on it: once they all are, the page reads what it shows (a change made before the
  // subscriptions, since the page was rendered or during the gap, reached no page)
  let opened = 0
  let missing = new Set()
  let stopped = false
  // A failed subscription (no answer, a 5xx, a 400 while the server had not registered the
  // stream yet) is tried again at growing intervals: Transmit's client drops it silently, and
  // the page said connected but heard nothing and never read
  const retryDelays = new Map()
  const retryTimers = new Map()
  const cancelRetries = () => {
    for (const timer of retryTimers.values()) clearTimeout(timer)
    retryTimers.clear()
  }

  /** Stops listening for good: the page's body says why (data-live) and a pos:<why> event goes out */
  function stop(why) {
    if (stopped) return false
    stopped = true
    cancelRetries()
    transmit.close()
    document.body.dataset.live = why
    document.dispatchEvent(new CustomEvent(`pos:${why}`))
    return true
  }

  const signedOut = () => stop('signed-out')

  // The page's store was switched in another tab (the server refused its channels with a 409
  // store_changed): its channels and figures are the old store's. Asking again was refused every
  // 30 s for as long as the page stayed open, and reading again would put the new store's figures
  // in the old store's page: it stops listening and says so once, with a link that reloads it
  function storeChanged() {
    if (!stop('store-changed')) return
    const notice = document.createElement('div')
    notice.className = 'alert alert-warning'
    notice.setAttribute('role', 'alert')
    notice.id = 'live-store-changed'
    const reload = document.createElement('a')
    reload.href = window.location.href
    reload.textContent = 'Reload'
    notice.append('You switched to another store in another tab: this page still shows the one it was opened in and is no longer updated. ', reload)
    ;(document.querySelector('main:not([hidden])') ?? document.body).prepend(notice)
  }

  function subscribed(channel, stream) {
    if (stream !== opened || stopped) return
    retryDelays.delete(channel)
    if (!missing.delete(channel) || missing.size) return
    document.body.dataset.liveSubscribed = 'true'
    catchUp()
  }

  function subscribeFailed(channel, stream, response) {
    if (stream !== opened || stopped) return
    // The session ended, or the page's CSRF token is stale (signed out and in again in another
    // tab): asking again would be refused forever
    if (response && (response.type === 'opaqueredirect' || [401, 403, 419].includes(response.status))) return signedOut()
    const delay = retryDelays.get(channel) ?? 1000
    retryDelays.set(channel, Math.min(delay * 2, 30_000))
    clearTimeout(retryTimers.get(channel))
    retryTimers.set(
      channel,
      setTimeout(() => {
        retryTimers.delete(channel)
        if (stream === opened && !stopped) void transmit.subscription(channel).forceCreate()
      }, delay)
    )
  }

  // Transmit's own HTTP client, which also tells this page how each subscription went. A
  // subscription never answered (a proxy that holds it) counts as failed after a while and is
  // asked again: the page waited on it for good, subscribed to nothing, and never read
  const subscribing = new WeakMap()
  const httpClientFactory = (baseUrl, uid) => ({
    createRequest(path, body) {
      const subscribe = path.endsWith('/subscribe')
      const request = new Request(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ uid, ...body }),
        credentials: 'same-origin',
        redirect: 'manual',
        signal: subscribe ? AbortSignal.timeout(SUBSCRIBE_ANSWER_MS) : undefined,
      })
      if (subscribe) subscribing.set(request, body.channel)
      return request
    },
    async send(request) {
      const channel = subscribing.get(request)
      if (channel === undefined) return fetch(request)
      const stream = opened
      let response
      try {
        response = await fetch(request)
      } catch (error) {
        subscribeFailed(channel, stream, null)
        throw error
      }
      if (response.ok) subscribed(channel, stream)
      else if (stream === opened && response.status === 409 && (await refusal(response)) === 'store_changed') storeChanged()
      else subscribeFailed(channel, stream, response)
      return response
    },
  })

  const transmit = new Transmit({
    baseUrl: window.location.origin,
    maxReconnectAttempts: 0,
    httpClientFactory,
    eventSourceFactory: (url, options) => {
      const source = new LastingEventSource(url, options)
      source.addEventListener('signedout', signedOut)
      // The person's other pages hold all their streams: this one waits, and says why
      source.addEventListener('toomany', () => {
        if (stopped) return
        document.body.dataset.live = 'too-many-streams'
        document.dispatchEvent(new CustomEvent('pos:too-many-streams'))
      })
      return source
    },
  })
  window.posLive = transmit
  transmit.on('connected', () => {
    if (stopped) return
    opened++
    missing = new Set(channels)
    cancelRetries()
    document.body.dataset.live = 'connected'
    // The client subscribes again on its own the channels it once subscribed; one never
    // subscribed yet (its first try failed) is asked here
    if (opened > 1) for (const channel of channels) if (!transmit.subscription(channel).isCreated) void transmit.subscription(channel).forceCreate()
  })
  transmit.on('disconnected', () => {
    if (stopped) return
    cancelRetries()
    document.body.dataset.live = 'disconnected'
  })

  // A server tells all its pages to read again at once (hundreds of tills and dashboards, four
  // fragments each): each page waits a random moment of up to 3 s. Both channels' messages (one
  // gap) make one read: a message heard while a read is due is covered by it
  let resyncTimer = null
  const resyncSoon = () => {
    if (resyncTimer) return
    resyncTimer = setTimeout(() => {
      resyncTimer = null
      catchUp()
    }, 50 + Math.random() * RESYNC_SPREAD_MS)
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
  void stock.create()
  void sales.create()
}

// After the page's own first requests (the till's grid, htmx), so the stream never delays them
if (storeId && window.EventSource) {
  if (document.readyState === 'complete') start()
  else window.addEventListener('load', start, { once: true })
}
