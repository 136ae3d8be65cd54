import { getMeta, openDb, setMeta } from './idb.js'

/*
| The till's storage going under it. The browser may clear the till's IndexedDB (IndexedDB alone
| cleared from its tools) or evict it (the device's disk full): the database's connection is
| closed, its `close` event fires, and every later transaction throws "The database connection is
| closing". The sales not synced are gone with it; the till opens its storage afresh under the same
| device id and says so (docs/offline.md).
*/

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const WAITING_KEY = 'pos-till-waiting'

/** The offline sales waiting to sync, kept beside IndexedDB too: said if the storage is found emptied */
export function rememberWaiting(count) {
  try {
    localStorage.setItem(WAITING_KEY, String(count))
  } catch {}
}

function rememberedWaiting() {
  try {
    return Number(localStorage.getItem(WAITING_KEY)) || 0
  } catch {
    return 0
  }
}

function lostNotice(db, lost) {
  const gone = lost ? `: ${lost} offline sale${lost === 1 ? '' : 's'} not synced ${lost === 1 ? 'was' : 'were'} lost with it; tell a manager` : ''
  return setMeta(db, 'storage_notice', { text: `This till's offline storage was cleared (by the browser, or its disk is full)${gone}`, at: Date.now() }, 'strict')
}

/** The database, with `onLost` called when the browser closes it under the till */
export async function openStorage(onLost) {
  const db = await openDb()
  db.addEventListener('close', onLost)
  return db
}

/**
 * The device id IndexedDB keeps, else the one the page's requests carry (localStorage `key`): an
 * IndexedDB cleared or evicted while localStorage stayed is the same till. Made anew, it was
 * another device, and the till's own register refused it ("in use on another till") until a
 * manager released it
 */
export async function keptDeviceId(db, key) {
  let id = await getMeta(db, 'device_id')
  if (id) return id
  try {
    id = localStorage.getItem(key)
  } catch {}
  // Found in localStorage alone: IndexedDB was emptied while no till page was open (the browser
  // evicts storage then), and the sales it held went with it. Said as when it happens under a page
  if (UUID.test(id ?? '')) await lostNotice(db, rememberedWaiting())
  else id = crypto.randomUUID()
  await setMeta(db, 'device_id', id, 'strict')
  return id
}

/** Opens the storage afresh after it was lost, under the same device id, with the notice of `lost` unsynced sales */
export async function reopenStorage(onLost, deviceId, lost) {
  let db
  // Opened while the browser still deletes it, the database refuses ("The connection was closed")
  for (let attempt = 1; !db; attempt++) {
    try {
      db = await openStorage(onLost)
    } catch (error) {
      if (attempt === 10) throw error
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
  }
  await setMeta(db, 'device_id', deviceId, 'strict')
  await lostNotice(db, lost)
  return db
}

/** Whether this device's storage was lost lately (the offline screen says so rather than "not loaded yet") */
export async function storageWasLost(db) {
  return Boolean(await getMeta(db, 'storage_notice'))
}

/**
 * A sign-out on the till ends its offline selling until someone signs in (till.js keepReady): the
 * kept page sold offline in the name of the cashier who had signed out and left, sales the server
 * takes as not theirs. Written before the form goes (the page is gone after), a second at most: a
 * storage that does not answer must not keep the cashier signed in. (A sign-out from another page
 * of the site, the back office's, is written by the service worker.)
 */
export function keepSignOut(event, db) {
  const form = event.target
  if (form.dataset.signOutKept) return
  event.preventDefault()
  const timeout = new Promise((resolve) => setTimeout(resolve, 1000))
  Promise.race([setMeta(db, 'signed_out', true, 'strict'), timeout]).finally(() => {
    form.dataset.signOutKept = 'yes'
    form.submit()
  })
}
