import { getMeta, setMeta } from './idb.js'
import { keepSignOut, keptDeviceId, openStorage, rememberWaiting, reopenStorage, storageWasLost } from './storage.js'
import { refreshCatalog } from './catalog.js'
import { OfflineCart } from './cart.js'
import { call, fetchJson, reachable, SignedOut, Unreachable, watchUnanswered } from './net.js'
import { heldByConflict, queued, recordSale, takeLeaseHead } from './queue.js'
import { handOverHeld } from './handoff.js'
import { NOT_OFFLINE, OfflineScreen } from './screen.js'
import { queueSummary, syncQueue } from './sync.js'

/*
| The offline till (docs/offline.md). Loaded by the till page after its first paint; while the
| server answers it only keeps the device ready: the lease of its register (every minute and
| after each online sale), the settings and the catalog (deltas every minute). It takes no part
| in an online sale. When the server or the network is gone it swaps the till's main area for the
| offline cart screen, and goes back (reloading the page) once the queue has synced and the cart
| is empty. A register whose sync stopped at a conflict is handed over once a manager has looked
| (handoff.js). Exported for the tests, which import this same module.
*/

export * as core from '../../../app/core/index.ts'
export { OfflineCart } from './cart.js'

const EVERY_MINUTE = 60_000
const RETRY_MS = 3_000
const HEARTBEAT_MS = 10_000
// What the hand-off did stays in the status line this long (through the reload back online)
const NOTICE_MS = 15 * 60_000
// The page's requests carry the device id from here (public/js/app.js): the server lets only the
// device holding a register's lease sell on it online
const DEVICE_KEY = 'pos-till-device'
// A device clock off by less than this is left as it is (the server's Date header is to the second)
const CLOCK_TOLERANCE_MS = 60_000
const PAYMENT_UNANSWERED = 'No answer came for the last payment: the server may have recorded that sale. If the customer paid, do not sell it again here: once the server is back, the till shows the last sale it recorded. Until then, the sales made here may wait for a manager to check them (Back office, Offline sales).'

class OfflineTill {
  constructor(root) {
    this.root = root
    this.registerId = Number(root.dataset.registerId)
    this.registerName = root.dataset.registerName
    this.status = document.getElementById('offline-status')
    this.mode = 'online'
    this.problem = null
  }

  async start() {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/till-sw.js', { scope: '/' }).catch(() => {})
    navigator.storage?.persist?.().catch(() => {})
    await this.openStorage()
    this.deviceId = await keptDeviceId(this.db, DEVICE_KEY)
    try {
      localStorage.setItem(DEVICE_KEY, this.deviceId)
    } catch {}
    // And as a cookie, for a form posted before htmx took it over (app/staff/actor.ts)
    document.cookie = `pos_till_device=${encodeURIComponent(this.deviceId)}; path=/; SameSite=Strict; max-age=31536000`
    this.settings = (await getMeta(this.db, 'settings')) ?? null
    this.clockOffset = (await getMeta(this.db, 'clock_offset')) ?? 0
    this.held = (await heldByConflict(this.db)).some((held) => held.registerId === this.registerId)
    // Said once, by the page the sync's reload opened (sync.js): taken, so the next page says it no more
    const parked = await getMeta(this.db, 'parked_notice')
    if (parked) {
      this.parkedNotice = Date.now() - parked.at < NOTICE_MS ? parked.text : null
      await setMeta(this.db, 'parked_notice', null)
    }
    watchUnanswered((payment) => this.requestUnanswered(payment))
    document.addEventListener('htmx:afterSettle', () => this.onlineSaleSeen())
    window.addEventListener('offline', () => this.goOffline('This device has no network'))
    // What needs the server stays shut offline from the keyboard too: F1 clicks the Returns link
    // (public/js/app.js) and Enter follows a focused one, which pointer-events do not stop. The
    // page the browser could not load replaced the offline till, and the cart on it was gone
    document.addEventListener('click', (event) => {
      if (this.mode !== 'online' && event.target.closest?.('[data-online-only]')) event.preventDefault()
    }, true)
    window.addEventListener('online', () => this.tick())
    document.getElementById('offline-sync-now')?.addEventListener('click', () => this.tick(true))
    document.querySelector('form[action="/logout"]')?.addEventListener('submit', (event) => keepSignOut(event, this.db))
    this.signedOut = Boolean(await getMeta(this.db, 'signed_out'))
    // Live updates found the session over (public/js/live.js): the status says so, with Sign in
    document.addEventListener('pos:signed-out', () => {
      this.signedOut = true
      void this.showStatus()
    })
    if ((await this.syncable()) > 0 || !(await reachable())) await this.goOffline('The server does not answer')
    else await this.keepReady()
    setInterval(() => this.mode === 'online' && this.keepReady(), EVERY_MINUTE)
    // An idle till notices too (/health/till: the server and its database, two tiny queries); a till
    // holding sales behind a conflict asks whether a manager has looked
    setInterval(async () => {
      if (this.mode !== 'online') return
      if (!(await reachable())) return this.goOffline('The server does not answer')
      if (this.held) await this.handOver().then(() => this.showStatus(), () => {})
    }, HEARTBEAT_MS)
    setInterval(() => this.mode !== 'online' && this.tick(), RETRY_MS)
  }

  async openStorage() {
    this.db = await openStorage(() => void this.storageLost())
  }

  /**
   * The browser closed the database under the till: its storage was cleared or evicted
   * (storage.js). The queue and the register's head went with it: no sale can be numbered offline
   * until the server gives the head again. Opened afresh under the same device id, and said; it
   * failed every payment with "The database connection is closing", and never came back online
   */
  async storageLost() {
    const lost = Number(this.status?.dataset.waiting ?? 0)
    try {
      this.db = await reopenStorage(() => void this.storageLost(), this.deviceId, lost)
    } catch (error) {
      // Still refused after its tries: said (the status line reads the closed database, so set here)
      if (this.status) this.status.textContent = `Sync stopped: this till's storage cannot be opened (${error.message}): reload the page`
      return
    }
    if (this.mode === 'online') return this.keepReady()
    this.settings = null
    await this.showOfflineScreen()
    await this.showStatus()
  }

  /** Online: settings, lease and catalog up to date, so the till can go offline at any moment */
  async keepReady() {
    try {
      this.settings = await fetchJson('/till/offline/settings')
      await setMeta(this.db, 'settings', this.settings)
      // Someone is signed in (the settings are the session's): the till may sell offline again
      await setMeta(this.db, 'signed_out', null)
      this.signedOut = false
      await this.handOver()
      const renewal = await this.renewLease()
      if (this.settings.offline.allowed) await refreshCatalog(this.db, this.settings.store.id)
      this.problem = renewal
      // Ready to sell offline from now on (the tests wait for it)
      document.body.dataset.offlineReady = this.leaseRefused ? 'no' : 'yes'
    } catch (error) {
      if (error instanceof Unreachable) return this.goOffline('The server does not answer')
      this.problem = error.message
    }
    await this.showStatus()
  }

  /** Renews the register's lease; answers what went wrong when the server failed it (null otherwise) */
  async renewLease() {
    // Held behind a conflict: not taken again (a manager's release is a signal to hand over; handOver renews it)
    if (this.held) return null
    const pending = (await queued(this.db)).filter((s) => s.register_id === this.registerId).length
    const sentAt = Date.now()
    const { status, data, date } = await call('POST', '/till/offline/lease', { device_id: this.deviceId, register_id: this.registerId, pending })
    if (status === 200) await this.measureClock(sentAt, Date.now(), date)
    // A server in trouble (a 500, too many requests) refused nothing: the lease held stands. Taken
    // as a refusal, it kept the till from selling offline until a renewal went through; and the
    // sync and the catalog's refresh go on without it (thrown, it stopped them: a renewal failing
    // for good kept the queue from syncing and the till from coming back online)
    if (status >= 500 || status === 429) return `The lease could not be renewed (the server answered ${status})`
    if (status !== 200) {
      this.leaseRefused = data?.errors?.[0]?.message ?? `The lease was refused (${status})`
      this.leaseHeldElsewhere = data?.errors?.[0]?.code === 'register_leased'
      await setMeta(this.db, `lease_refused:${this.registerId}`, this.leaseRefused)
      return null
    }
    this.leaseRefused = null
    this.leaseHeldElsewhere = false
    await setMeta(this.db, `lease_refused:${this.registerId}`, null)
    await takeLeaseHead(this.db, data)
    this.registerFree()
    return null
  }

  /**
   * The register is this till's now (released by a manager, the page drawn before): the page's
   * banner saying another till holds it goes, and Pay comes back (public/js/components.js). No
   * request of its own: the minute's lease renewal carries it
   */
  registerFree() {
    const banner = document.getElementById('register-held')
    if (!banner) return
    banner.remove()
    window.dispatchEvent(new CustomEvent('register-free'))
  }

  /**
   * How far this device's clock is off the server's, kept for the offline sales' times: a till whose
   * clock ran hours ahead or a day behind dated its sales so, and they landed on another day in the
   * reports (and in no shift). Measured at each lease renewal; an offset under a minute is none
   */
  async measureClock(sentAt, receivedAt, date) {
    const server = Date.parse(date ?? '')
    if (!Number.isFinite(server)) return
    // The header is to the second: the server answered within that second, and within the request
    const offset = server + 500 - (sentAt + receivedAt) / 2
    const kept = Math.abs(offset) < CLOCK_TOLERANCE_MS ? 0 : Math.round(offset)
    if (kept === this.clockOffset) return
    this.clockOffset = kept
    await setMeta(this.db, 'clock_offset', kept)
  }

  /**
   * An online sale completed: its receipt carries the register's new head, taken at once (the
   * server may be gone a second later), then the lease is renewed
   */
  async onlineSaleSeen() {
    const receipt = document.querySelector('[data-completed-sale][data-sale-hash]')
    if (!receipt || receipt.dataset.completedSale === this.lastSeenSale) return
    this.lastSeenSale = receipt.dataset.completedSale
    const head = { register_id: Number(receipt.dataset.registerId), last_number: Number(receipt.dataset.saleNumber), last_hash: receipt.dataset.saleHash, device_id: this.deviceId }
    await takeLeaseHead(this.db, head, true).catch(() => {})
    await this.renewLease().catch(() => {})
  }

  /**
   * Registers stopped by a conflict: their held sales go to the server once a manager has looked
   * (handoff.js), and this register is taken afresh. What happened shows in the status line.
   */
  async handOver() {
    // One at a time (the heartbeat and the minute's refresh may meet)
    if (this.handingOver) return
    this.handingOver = true
    let outcomes = []
    try {
      this.held = (await heldByConflict(this.db)).some((held) => held.registerId === this.registerId)
      this.waitingForManager = null
      outcomes = await handOverHeld(this.db, this.deviceId)
    } catch (error) {
      if (error instanceof Unreachable || error instanceof SignedOut) throw error
      this.waitingForManager = `The held sales could not be handed over yet: ${error.message}`
    } finally {
      this.handingOver = false
    }
    for (const outcome of outcomes) {
      if (outcome.waiting) {
        if (outcome.registerId === this.registerId) this.waitingForManager = outcome.waiting
        continue
      }
      const numbers = outcome.numbers
      const range = numbers.length === 1 ? `#${numbers[0]}` : `#${numbers[0]}–#${numbers.at(-1)}`
      const name = outcome.registerId === this.registerId ? this.registerName : `Register ${outcome.registerId}`
      const after = outcome.lease ? `${name} taken afresh: sales continue from #${outcome.lease.last_number + 1}` : outcome.leaseRefused
      const text = `${numbers.length} held sale${numbers.length === 1 ? '' : 's'} of ${name} (${range}) handed to the back office for review, not recorded; ${after}`
      await setMeta(this.db, 'handoff_notice', { text, at: Date.now() })
      if (outcome.registerId === this.registerId) {
        this.held = false
        this.leaseRefused = outcome.lease ? null : outcome.leaseRefused
        if (outcome.lease) this.registerFree()
        await setMeta(this.db, `lease_refused:${this.registerId}`, this.leaseRefused)
      }
    }
  }

  /** Sales that can still be sent (not held behind a conflict or a refusal) */
  async syncable() {
    const { waiting, blocked } = await queueSummary(this.db)
    const stopped = new Set(blocked.map((s) => s.register_id))
    return waiting - (await queued(this.db)).filter((s) => stopped.has(s.register_id)).length
  }

  /**
   * A request the server did not answer turns the till offline. A payment may have been recorded
   * all the same: the offline screen, which starts with an empty cart, says so, or the cashier took
   * the payment again offline and the sale was made twice (the second one held at sync as a conflict)
   */
  requestUnanswered(payment) {
    if (this.mode === 'online' && payment) this.paymentUnanswered = true
    return this.goOffline('The server does not answer')
  }

  async goOffline(reason) {
    if (this.mode === 'online') {
      this.mode = 'offline'
      this.reason = reason
      await this.showOfflineScreen()
    }
    await this.showStatus()
  }

  /**
   * The offline screen is drawn while still hidden, then shown in one step with the online main
   * area hidden: the cashier never sees it empty (it awaits IndexedDB: the lease's refusal, the grid)
   */
  async showOfflineScreen() {
    const refused = this.settings ? await getMeta(this.db, `lease_refused:${this.registerId}`) : null
    const cannot = !this.settings && (await storageWasLost(this.db)) ? "This till's offline storage was cleared: it cannot sell offline until it reaches the server again."
      : !this.settings ? 'This till has not loaded its catalog yet: it cannot sell offline until it has reached the server once.'
      : !this.settings.offline.allowed ? this.settings.offline.reason
      : (await getMeta(this.db, 'signed_out')) ? 'Signed out on this till: it sells offline again once someone signs in (only the server checks who signs in).'
      : refused ? refused : null
    if (cannot) {
      this.root.replaceChildren(Object.assign(document.createElement('p'), { className: 'alert offline-cannot', textContent: cannot }))
      this.screen = null
    } else {
      this.cart = new OfflineCart(this.settings)
      this.screen = new OfflineScreen(this.root, this)
      await this.screen.draw()
    }
    for (const el of document.querySelectorAll('.till-shell > .till-main:not(#offline-till)')) el.hidden = true
    for (const el of document.querySelectorAll('[data-online-only]')) {
      el.setAttribute('aria-disabled', 'true')
      el.setAttribute('title', `${el.dataset.onlineOnly}: not while offline`)
      if ('disabled' in el) el.disabled = true
      el.classList.add('is-offline-disabled')
    }
    this.root.hidden = false
    this.screen?.carryTypedScan()
    if (this.paymentUnanswered) this.screen?.warn(PAYMENT_UNANSWERED)
    this.screen?.scanInput.focus()
  }

  recordSale() {
    const draft = this.cart.draft({ deviceId: this.deviceId, registerId: this.registerId, userId: this.settings.user.id }, Date.now() + this.clockOffset)
    return recordSale(this.db, draft, this.cart.priced, this.settings.store.id).finally(() => this.showStatus())
  }

  /** A sale has been closed on screen (New sale): a moment to go back online */
  saleClosed() {
    setTimeout(() => this.tick(), 0)
  }

  /** Offline: can the server be reached again? Then lease, sync, and back online when all is sent */
  async tick(now = false) {
    if (this.ticking) return
    this.ticking = true
    try {
      if (!(await reachable())) {
        this.reason = navigator.onLine ? 'The server does not answer' : 'This device has no network'
        return
      }
      this.signedOut = false
      await this.handOver()
      await this.renewLease()
      const synced = await syncQueue(this.db)
      // A conflict met now holds the register from here on (its lease is not taken again)
      this.held = (await heldByConflict(this.db)).some((held) => held.registerId === this.registerId)
      if (synced) await this.renewLease()
      this.lastError = null
      const idle = !this.screen || (this.screen.cart.empty && !this.screen.receipt)
      const sent = (await this.syncable()) === 0
      if (sent && idle && this.settings?.offline.allowed !== false) {
        this.mode = 'reloading'
        window.location.reload()
      } else if (sent && !idle) {
        // The sale on screen keeps the till offline: the status said "The server does not answer"
        // long after it did, the queue synced, as if the sale could not reach it
        this.reason = this.screen.receipt ? 'The server is back: New sale goes back online' : 'The server is back: the till goes back online after this sale'
      }
    } catch (error) {
      if (error instanceof SignedOut) this.signedOut = true
      else if (!(error instanceof Unreachable)) this.lastError = error.message
    } finally {
      this.ticking = false
      if (now || this.mode !== 'online') await this.showStatus()
    }
  }

  async showStatus() {
    if (!this.status) return
    const { waiting, blocked } = await queueSummary(this.db)
    const parts = []
    if (this.mode !== 'online') parts.push(`Offline: ${waiting} sale${waiting === 1 ? '' : 's'} waiting to sync`)
    else if (waiting) parts.push(`${waiting} offline sale${waiting === 1 ? '' : 's'} waiting to sync`)
    if (this.mode !== 'online' && this.reason) parts.push(this.reason)
    // Another till holds this register: said when the till opens, not first at the payment the server refuses
    // (the page's banner says it when the page knew it: not twice)
    if (this.mode === 'online' && this.leaseHeldElsewhere && !this.held && !document.getElementById('register-held')) parts.push(`This till cannot complete sales here: ${this.leaseRefused}`)
    for (const sale of blocked) parts.push(`Sale #${sale.number} held: ${sale.problem}`)
    if (this.waitingForManager && blocked.length) parts.push(this.waitingForManager)
    for (const key of ['handoff_notice', 'storage_notice']) {
      const notice = await getMeta(this.db, key)
      if (notice && Date.now() - notice.at < NOTICE_MS) parts.push(notice.text)
    }
    if (this.parkedNotice) parts.push(this.parkedNotice)
    if (this.signedOut) parts.push(waiting ? 'Signed out: sign in again to sync' : 'Signed out: sign in again')
    if (this.lastError) parts.push(`Sync stopped: ${this.lastError}`)
    if (this.problem) parts.push(`Offline copy not refreshed: ${this.problem}`)
    this.status.querySelector('[data-text]').textContent = parts.join(' · ')
    this.status.hidden = parts.length === 0
    this.status.querySelector('#offline-sign-in').hidden = !this.signedOut
    this.status.dataset.waiting = String(waiting)
    rememberWaiting(waiting)
  }
}

const root = document.getElementById('offline-till')
if (root) {
  const till = new OfflineTill(root)
  globalThis.offlineTill = till
  till.start().catch((error) => console.warn('The offline till could not start:', error))
}
export { NOT_OFFLINE }
