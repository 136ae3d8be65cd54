/*
| The offline till's IndexedDB, one per browser profile and origin:
|   products  the store's sellable catalog (by id; indexes: barcodes, sku, words of the name, category)
|   meta      small records by key: settings, the catalog's version, each register's head, the device id
|   queue     the sales made offline, by client_uuid, oldest first by (register, number)
| Writes that must survive a power cut (a sale and its register's head) use durability "strict".
*/
const NAME = 'open-pos-till'
const VERSION = 1

export function openDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(NAME, VERSION)
    open.onupgradeneeded = () => {
      const db = open.result
      const products = db.createObjectStore('products', { keyPath: 'id' })
      products.createIndex('barcodes', 'barcodes', { multiEntry: true })
      products.createIndex('sku', 'sku')
      products.createIndex('words', 'words', { multiEntry: true })
      products.createIndex('category', 'category_id')
      db.createObjectStore('meta', { keyPath: 'key' })
      const queue = db.createObjectStore('queue', { keyPath: 'client_uuid' })
      queue.createIndex('order', ['register_id', 'number'])
    }
    open.onsuccess = () => resolve(open.result)
    open.onerror = () => reject(open.error)
    open.onblocked = () => reject(new Error('The till is open in an older version in another tab: close it'))
  })
}

/** The result of one request */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/**
 * Runs work(stores) in one transaction and resolves with its result once the transaction has
 * committed (for "strict", once it is on disk). work must only issue requests on the stores:
 * awaiting anything else would let the transaction commit early.
 */
export function transaction(db, names, mode, work, durability = 'default') {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode, { durability })
    const stores = Object.fromEntries([names].flat().map((name) => [name, tx.objectStore(name)]))
    let result
    Promise.resolve(work(stores, tx)).then(
      (value) => (result = value),
      (error) => {
        try {
          tx.abort()
        } catch {}
        reject(error)
      }
    )
    tx.oncomplete = () => resolve(result)
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('The transaction was aborted'))
  })
}

export async function getMeta(db, key) {
  const row = await transaction(db, 'meta', 'readonly', (s) => done(s.meta.get(key)))
  return row ? row.value : undefined
}

export function setMeta(db, key, value, durability) {
  return transaction(db, 'meta', 'readwrite', (s) => done(s.meta.put({ key, value })), durability)
}
