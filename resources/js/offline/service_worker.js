/*
| The till's service worker: it keeps the till page and its scripts and styles so the till opens
| when the server or the network is gone (a reload, a new tab, a browser opened again).
| Network first, always: online, every page and script is the server's current one (and is kept);
| only when the server cannot be reached (or a proxy in front answers 502-504 for it) does the
| kept copy answer. Nothing else is touched: the till's requests (htmx, /till/offline/*) go to the
| network as they would without a worker.
*/
import { openDb, setMeta } from './idb.js'

const CACHE = 'till-v1'
const ASSETS = ['/css/app.css', '/vendor/htmx.min.js', '/vendor/alpine.min.js', '/js/app.js', '/js/components.js', '/js/live.js', '/js/scanning.js', '/js/scanner_burst.js', '/js/build/offline-till.js']
const PAGES = new Set(['/till', '/till/'])
const PAGE_TIMEOUT_MS = 4000
// A proxy in front (nginx, docs/deploy.md) answers these while the app behind it is down: the
// server is out of reach as much as when nothing answers, and the kept copy answers instead
const GATEWAY_DOWN = new Set([502, 503, 504])

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all([...ASSETS.map((url) => cache.add(url).catch(() => {})), keepPage(cache)]))
      .then(() => self.skipWaiting())
  )
})

/** The till page as it is now: the page that registered the worker was loaded before it */
async function keepPage(cache) {
  try {
    const response = await fetch('/till', { credentials: 'same-origin' })
    if (response.ok && !response.redirected) await cache.put('/till', response)
  } catch {}
}

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  // A sign-out from any page of the site (the back office's, the register chooser's): the till
  // page writes it itself (storage.js keepSignOut), the others did not, and the kept till page
  // then sold offline in the name of the cashier who had signed out. Not answered here: the
  // request goes to the server as it is
  if (request.method === 'POST' && url.pathname === '/logout') return event.waitUntil(markSignedOut())
  if (request.method !== 'GET') return
  if (request.mode === 'navigate' && PAGES.has(url.pathname)) return event.respondWith(page(request))
  if (ASSETS.includes(url.pathname)) return event.respondWith(asset(request, url.pathname))
})

/** The till page from the server; the last one kept when the server cannot be reached */
async function page(request) {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request, { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) })
    // Only the till itself is kept: not a redirect to the sign-in page, not an error
    if (response.ok && !response.redirected) await cache.put('/till', response.clone())
    if (GATEWAY_DOWN.has(response.status)) return (await cache.match('/till')) ?? response
    return response
  } catch (error) {
    const kept = await cache.match('/till')
    if (kept) return kept
    throw error
  }
}

async function asset(request, path) {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request)
    if (response.ok) await cache.put(path, response.clone())
    if (GATEWAY_DOWN.has(response.status)) return (await cache.match(path)) ?? response
    return response
  } catch (error) {
    const kept = await cache.match(path)
    if (kept) return kept
    throw error
  }
}

async function markSignedOut() {
  try {
    const db = await openDb()
    try {
      await setMeta(db, 'signed_out', true, 'strict')
    } finally {
      db.close()
    }
  } catch {}
}
