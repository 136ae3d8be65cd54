import { searchOperators } from '../../../app/core/index.ts'
import { done, getMeta, setMeta, transaction } from './idb.js'
import { fetchJson } from './net.js'

/*
| The store's catalog on the device: loaded whole by pages the first time (GET
| /till/offline/catalog?after_id=), then by deltas (?since=version) every minute while online.
| Only sellable products are kept: a product taken off sale is deleted here.
| Search and the grid go through IndexedDB indexes. A scan looks its code up in memory (the code
| index below): an IndexedDB read is a round trip to the browser's storage process, and it was most
| of a scan's time (7 ms at the median, 27 ms at the 95th percentile on the loaded bench machine).
*/

export function wordsOf(text) {
  return String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)
}

function productOf(fields, row) {
  const p = Object.fromEntries(fields.map((field, i) => [field, row[i]]))
  return { ...p, words: [...new Set(wordsOf(p.name))] }
}

async function store(db, page) {
  await transaction(db, 'products', 'readwrite', (s) => {
    for (const row of page.rows) {
      const product = productOf(page.fields, row)
      if (product.active) s.products.put(product)
      else s.products.delete(product.id)
    }
  })
  applyToIndex(page)
  // Other tabs of this till share the IndexedDB copy, not this tab's memory: they apply the page too
  channel?.postMessage(page)
}

/** Brings the device's catalog up to date; answers how many products changed */
export async function refreshCatalog(db, storeId) {
  const state = (await getMeta(db, 'catalog')) ?? null
  let changed = 0
  if (!state || state.store_id !== storeId || !state.complete) {
    // A whole load: another store's catalog (or a half-loaded one) is dropped first
    if (!state || state.store_id !== storeId) {
      await transaction(db, 'products', 'readwrite', (s) => done(s.products.clear()))
      codes = null
    }
    let afterId = state && state.store_id === storeId ? (state.after_id ?? 0) : 0
    let version = state && state.store_id === storeId ? (state.version ?? 0) : 0
    for (;;) {
      const page = await fetchJson(`/till/offline/catalog?after_id=${afterId}`)
      await store(db, page)
      changed += page.rows.length
      version = Math.max(version, page.version)
      if (page.next_after_id === null) break
      afterId = page.next_after_id
      // Where to go on if the load is cut off
      await setMeta(db, 'catalog', { store_id: storeId, version, complete: false, after_id: afterId })
    }
    await setMeta(db, 'catalog', { store_id: storeId, version, complete: true })
    loadCodeIndex(db)
    return changed
  }
  // The changes since the last version, in pages of ids like the whole load
  let since = state.version
  let afterId = 0
  for (;;) {
    const page = await fetchJson(`/till/offline/catalog?since=${state.version}&after_id=${afterId}`)
    await store(db, page)
    changed += page.rows.length
    since = Math.max(since, page.version)
    if (page.next_after_id === null) break
    afterId = page.next_after_id
  }
  await setMeta(db, 'catalog', { store_id: storeId, version: since, complete: true })
  loadCodeIndex(db)
  return changed
}

/*
| The code index: each product's barcodes and SKU, in memory, with what a cart line needs of it
| (about 20-25 MB of the page's heap for 100,000 products; docs/speed-measurements-2026-12-04.md, "The offline till's speed, measured").
| Built from IndexedDB once the catalog is whole (in pages, letting the page work between them),
| kept up to date by every page of the catalog this tab or another tab of the till stores. Until it
| is built, and for a code it does not know, scans read IndexedDB.
*/
let codes = null
let loading = null
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('open-pos-till-catalog') : null
if (channel) channel.onmessage = (event) => applyToIndex(event.data)

function emptyIndex() {
  return { barcodes: new Map(), skus: new Map(), skusFolded: new Map(), byId: new Map() }
}

// A SKU is found as typed, else whatever the case of its letters A to Z, as the server finds it
// (app/catalog/sku.ts: SQLite's NOCASE; MariaDB's unique key holds no two of one SKU in two cases);
// IndexedDB's sku index, asked only in the moments before this index is loaded, matches it exactly
const skuKey = (sku) => sku.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())

function indexProduct(index, p) {
  const entry = { id: p.id, name: p.name, sku: p.sku, price: p.price, tax_class: p.tax_class, barcodes: p.barcodes ?? [] }
  index.byId.set(entry.id, entry)
  // The first product by id keeps a code, as IndexedDB's index answers
  for (const code of entry.barcodes) if (!index.barcodes.has(code)) index.barcodes.set(code, entry)
  if (entry.sku && !index.skus.has(entry.sku)) index.skus.set(entry.sku, entry)
  if (entry.sku && !index.skusFolded.has(skuKey(entry.sku))) index.skusFolded.set(skuKey(entry.sku), entry)
}

function unindexProduct(index, id) {
  const entry = index.byId.get(id)
  if (!entry) return
  index.byId.delete(id)
  for (const code of entry.barcodes) if (index.barcodes.get(code) === entry) index.barcodes.delete(code)
  if (entry.sku && index.skus.get(entry.sku) === entry) index.skus.delete(entry.sku)
  if (entry.sku && index.skusFolded.get(skuKey(entry.sku)) === entry) index.skusFolded.delete(skuKey(entry.sku))
}

function applyToIndex(page) {
  for (const index of [codes, loading?.index]) {
    if (!index) continue
    for (const row of page.rows) {
      const product = Object.fromEntries(page.fields.map((field, i) => [field, row[i]]))
      unindexProduct(index, product.id)
      if (product.active) indexProduct(index, product)
    }
  }
}

/** Builds the code index from the device's catalog (once; again after a whole new load) */
export function loadCodeIndex(db) {
  if (codes) return Promise.resolve()
  if (loading) return loading.promise
  const index = emptyIndex()
  const promise = (async () => {
    let after = null
    for (;;) {
      const range = after === null ? null : IDBKeyRange.lowerBound(after, true)
      const rows = await transaction(db, 'products', 'readonly', (s) => done(s.products.getAll(range, 5000)))
      // A product a catalog page changed meanwhile is in the index already, newer
      for (const row of rows) if (!index.byId.has(row.id)) indexProduct(index, row)
      if (rows.length < 5000) break
      after = rows.at(-1).id
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    codes = index
  })().finally(() => (loading = null))
  loading = { index, promise }
  return promise
}

/** The product with this barcode, else with this SKU */
export async function findByCode(db, code) {
  const found = codes && (codes.barcodes.get(code) ?? codes.skus.get(code) ?? codes.skusFolded.get(skuKey(code)))
  if (found) return found
  return transaction(db, 'products', 'readonly', async (s) => {
    const byBarcode = await done(s.products.index('barcodes').get(code))
    return byBarcode ?? (await done(s.products.index('sku').get(code))) ?? null
  })
}

/** Products whose name has a word starting with each word typed, and each operator typed (as the server's search), by name */
export async function search(db, text, limit = 20) {
  const words = wordsOf(text)
  if (!words.length) return []
  const operators = searchOperators(text)
  const [first, ...rest] = [...words].sort((a, b) => b.length - a.length)
  const found = new Map()
  await transaction(db, 'products', 'readonly', (s) =>
    new Promise((resolve, reject) => {
      const cursor = s.products.index('words').openCursor(IDBKeyRange.bound(first, `${first}\uffff`))
      cursor.onerror = () => reject(cursor.error)
      cursor.onsuccess = () => {
        const at = cursor.result
        if (!at || found.size >= limit * 5) return resolve()
        const product = at.value
        if (rest.every((word) => product.words.some((w) => w.startsWith(word))) && operators.every((op) => product.name.includes(op))) found.set(product.id, product)
        at.continue()
      }
    })
  )
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name)).slice(0, limit)
}

/** The grid: products of a category (or all), by name */
export async function grid(db, categoryId, limit = 48) {
  const rows = await transaction(db, 'products', 'readonly', (s) =>
    done(categoryId ? s.products.index('category').getAll(categoryId, 500) : s.products.getAll(null, 500))
  )
  return rows.sort((a, b) => a.name.localeCompare(b.name)).slice(0, limit)
}
