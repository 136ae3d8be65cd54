/*
 * Live stock and sales (server-sent events through Transmit). Every element with
 * data-stock-of="<product id>" shows that product's on-hand figure and is updated in place;
 * fragments that listen for the pos:stock / pos:sale / pos:resync events (hx-trigger) re-fetch
 * themselves. After a lost connection the page re-reads the figures from the server, so
 * nothing missed while offline stays wrong.
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

async function catchUp() {
  const ids = shown()
  if (ids.length) {
    const response = await fetch(`/live/stock?ids=${ids.slice(0, 500).join(',')}`, { headers: { accept: 'application/json' } })
    if (response.ok) apply((await response.json()).products)
  }
  document.dispatchEvent(new CustomEvent('pos:resync'))
}

function start() {
  // Subscribing is a POST: it carries the page's CSRF token (the one htmx sends), so no
  // XSRF-TOKEN cookie has to be encrypted and set on every answer for it
  const csrf = JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrf-token'] || ''
  const withCsrf = (request) => request.headers.set('X-CSRF-TOKEN', csrf)
  const transmit = new Transmit({ baseUrl: window.location.origin, maxReconnectAttempts: 0, beforeSubscribe: withCsrf, beforeUnsubscribe: withCsrf })
  window.posLive = transmit
  let connections = 0
  transmit.on('connected', () => {
    connections++
    document.body.dataset.live = 'connected'
    if (connections > 1) catchUp().catch(() => {})
  })
  transmit.on('disconnected', () => {
    document.body.dataset.live = 'disconnected'
  })

  const stock = transmit.subscription(`stores/${storeId}/stock`)
  stock.onMessage((message) => {
    if (message.refresh) catchUp().catch(() => {})
    else apply(message.products || [])
    document.dispatchEvent(new CustomEvent('pos:stock', { detail: message }))
  })
  const sales = transmit.subscription(`stores/${storeId}/sales`)
  sales.onMessage((message) => document.dispatchEvent(new CustomEvent('pos:sale', { detail: message })))
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
