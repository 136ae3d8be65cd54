import { done, getMeta, setMeta, transaction } from './idb.js'
import { fetchJson } from './net.js'

/*
| The store's catalog on the device: loaded whole by pages the first time (GET
| /till/offline/catalog?after_id=), then by deltas (?since=version) every minute while online.
| Only sellable products are kept: a product taken off sale is deleted here.
| Lookups go through IndexedDB indexes, so a scan costs the same with 100 or 100,000 products.
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
}

/** Brings the device's catalog up to date; answers how many products changed */
export async function refreshCatalog(db, storeId) {
  const state = (await getMeta(db, 'catalog')) ?? null
  let changed = 0
  if (!state || state.store_id !== storeId || !state.complete) {
    // A whole load: another store's catalog (or a half-loaded one) is dropped first
    if (!state || state.store_id !== storeId) await transaction(db, 'products', 'readwrite', (s) => done(s.products.clear()))
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
  return changed
}

/** The product with this barcode, else with this SKU */
export async function findByCode(db, code) {
  return transaction(db, 'products', 'readonly', async (s) => {
    const byBarcode = await done(s.products.index('barcodes').get(code))
    return byBarcode ?? (await done(s.products.index('sku').get(code))) ?? null
  })
}

/** Products whose name has a word starting with each word typed, by name */
export async function search(db, text, limit = 20) {
  const words = wordsOf(text)
  if (!words.length) return []
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
        if (rest.every((word) => product.words.some((w) => w.startsWith(word)))) found.set(product.id, product)
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
