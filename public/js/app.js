/*
 * The till's few client behaviours: htmx settings, keyboard shortcuts and keeping the
 * scan field focused so a keyboard-wedge scanner always types into it.
 */

document.addEventListener('DOMContentLoaded', () => {
  if (!window.htmx) return
  // Swap the server's error fragments (422, 409, 403, 429) into the message area it names
  htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true, error: true },
    { code: '5..', swap: false, error: true },
  ]
  htmx.config.defaultSwapStyle = 'innerHTML'
})

// A 5xx whose answer names where its message goes (HX-Retarget: the database out of reach,
// exceptions/handler.ts) is shown there. Not swapped, a refund sent on the Returns screen while
// the database was gone did nothing on screen: no message, no sign to try again.
// (On the till page the offline till goes offline on it as well.) Other 5xx stay unswapped.
document.addEventListener('htmx:beforeSwap', (event) => {
  const { xhr, target } = event.detail
  if (xhr.status >= 500 && xhr.getResponseHeader('HX-Retarget') && target) event.detail.shouldSwap = true
})

// The till's device id (kept by the offline till, resources/js/offline/till.js) goes with every
// request: the server lets only the device holding a register's offline lease sell on it online.
// Read from localStorage, synchronously, so a sale made before the offline code has loaded has it too
document.addEventListener('htmx:configRequest', (event) => {
  let device = null
  try {
    device = localStorage.getItem('pos-till-device')
  } catch {}
  if (device) event.detail.headers['X-Till-Device'] = device
  // The cart on screen: a change of it then needs no round trip to find it (the server takes it
  // only while it still is the register's open cart)
  const cart = document.querySelector('#cart-panel[data-sale-id]')
  if (cart) event.detail.headers['X-Cart-Id'] = cart.dataset.saleId
  // What it shows of that cart: a change that starts from it is answered with only what it changed
  const shown = cart?.querySelector('[data-cart-version]')
  if (shown) event.detail.headers['X-Cart-Version'] = shown.dataset.cartVersion
})

// The answer to a button's prompt (hx-prompt: Park's note) goes as the form field its
// data-prompt-field names: htmx sends it only as the HX-Prompt header, which the server does not
// read (it takes the note from the form, parkValidator), and the note typed was lost
document.addEventListener('htmx:configRequest', (event) => {
  const field = event.detail.elt?.dataset?.promptField
  const answer = event.detail.headers['HX-Prompt']
  if (field && answer != null) event.detail.parameters[field] = answer
})

// An answer of cart changes applies to the version of the cart it started from (each of its parts
// says which: data-cart-base). One overtaken by a later answer (two requests in flight, the later
// one drawn first) would change a newer screen: its parts are dropped and the cart is drawn again.
// Checked as each part is swapped in: the request's own element, and so its events, may be gone.
let redrawing = null
document.addEventListener('htmx:oobBeforeSwap', (event) => {
  const base = event.detail.fragment?.firstElementChild?.dataset?.cartBase
  if (!base) return
  const shown = document.querySelector('#cart-panel [data-cart-version]')?.dataset.cartVersion
  if (shown === base) return
  event.detail.shouldSwap = false
  if (redrawing === base) return
  redrawing = base
  htmx.ajax('GET', '/till', { target: '#cart-panel', select: '#cart-panel', swap: 'outerHTML' }).finally(() => (redrawing = null))
})

// A payment, void or park refused because this page showed a sale the register has left behind
// (paid, voided or parked from another tab of the till: render_cart.ts shownCartId): the register's
// cart is drawn again, the message says what was not done. Not when the page already shows what
// took its place (a second click's refusal after the first one's answer: its change due, "Sale parked")
document.addEventListener('till:cart-moved-on', (event) => {
  const panel = document.getElementById('cart-panel')
  if (!panel || panel.dataset.completedSale || panel.dataset.saleId === String(event.detail?.saleId)) return
  htmx.ajax('GET', '/till', { target: '#cart-panel', select: '#cart-panel', swap: 'outerHTML' })
})

const scanInput = () => document.querySelector('[data-scan-input]')
const isTyping = (el) => el && (el.matches('input, select, textarea') || el.isContentEditable) && !el.matches('[data-scan-input]')

// Back to a page whose form was sent: the browser puts back what was typed (from its cache, or
// into the page fetched again, with a new one-time key), and Record booked a cash-out twice. The
// forms that write are emptied, to be typed again on purpose
window.addEventListener('pageshow', (event) => {
  const backOrForward = event.persisted || performance.getEntriesByType('navigation')[0]?.type === 'back_forward'
  if (!backOrForward) return
  for (const key of document.querySelectorAll('form input[name="_submission"]')) key.form.reset()
})
// A field shown filled to be typed over (a line's price): its text selected when it takes the
// focus, so typing replaces it ("1.00" typed before "4.79" read "1.004.79")
document.addEventListener('focusin', (event) => {
  if (event.target.matches?.('input[data-select-all]')) event.target.select()
})
// After every swap: clear a stale message on success, and give focus back to the scan field
// unless the cashier is typing somewhere else (a tendered amount, a PIN). An answer with nothing
// in it (204: the search of an emptied scan field) and a background poll (data-background: the
// printer's status every 5 s) are not news to the cashier: they leave the message alone. Nor does
// an answer to a request sent before the message was shown: the search of a scanned code (sent
// 200 ms after the typing) answered after a refused PIN wiped "not a manager" unread.
document.addEventListener('htmx:beforeRequest', (event) => {
  if (event.detail.xhr) event.detail.xhr.sentAt = performance.now()
})
document.addEventListener('htmx:afterSwap', (event) => {
  if (event.detail.target?.id === 'till-message') event.detail.target.dataset.shownAt = String(performance.now())
})
// The matches area shows the answer of the latest request into it: a search typed, then F3 (the
// customer picker) or F4 (parked sales) pressed before it answered, had what the key opened replaced
// by the late search's matches. Emptied by the cashier (Esc, Close), a late answer leaves it empty.
// Only an answer swapped in counts: a search of an emptied field answers 204, swapped nowhere, and
// sent after the picker's request but answered first, it had the picker dropped on its way.
let matchesSentAt = 0
document.addEventListener('htmx:beforeSwap', (event) => {
  if (event.detail.target?.id !== 'matches' || !event.detail.shouldSwap) return
  const sentAt = event.detail.xhr?.sentAt ?? performance.now()
  if (sentAt < matchesSentAt) event.detail.shouldSwap = false
  else matchesSentAt = sentAt
})
const clearMatches = () => {
  matchesSentAt = performance.now()
  document.getElementById('matches')?.replaceChildren()
}
document.addEventListener('htmx:afterRequest', (event) => {
  // A quantity the server refused (the message says why) shows the line's quantity again, not the typo
  const field = event.detail.elt
  if (!event.detail.successful && field?.matches?.('input[name="quantity"]')) field.value = field.defaultValue
  const message = document.getElementById('till-message')
  if (event.detail.xhr?.status === 204 || event.detail.elt?.closest?.('[data-background]')) return
  if (!message || !event.detail.successful || event.detail.target?.id === 'till-message') return
  if ((event.detail.xhr?.sentAt ?? Infinity) < Number(message.dataset.shownAt ?? 0)) return
  message.innerHTML = ''
})
document.addEventListener('htmx:afterSettle', () => {
  const input = scanInput()
  if (input && !isTyping(document.activeElement)) input.focus()
})
document.addEventListener('htmx:sendError', () => {
  const message = document.getElementById('till-message')
  if (!message) return
  message.innerHTML = '<div class="alert alert-error" role="alert">The server cannot be reached. Nothing was lost: try again.</div>'
  message.dataset.shownAt = String(performance.now())
})

// Category tabs show which one is pressed
document.addEventListener('click', (event) => {
  const tab = event.target.closest('[data-category]')
  if (!tab) return
  for (const other of document.querySelectorAll('[data-category]')) other.setAttribute('aria-pressed', String(other === tab))
})

const visible = (el) => !!el && el.offsetParent !== null && !el.disabled

// While htmx swaps the cart in, a button found now may be the one being replaced, or a new one
// htmx has not wired yet (it does so when the swap settles): a shortcut then waits for the settle
const swapping = () => document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
function afterSwaps(run) {
  if (!swapping()) return run()
  let done = false
  const finish = (force) => {
    if (done || (force !== true && swapping())) return
    done = true
    document.removeEventListener('htmx:afterSettle', finish)
    document.removeEventListener('htmx:afterRequest', finish)
    run()
  }
  document.addEventListener('htmx:afterSettle', finish)
  document.addEventListener('htmx:afterRequest', finish)
  // A request that swaps nothing (an error answer) still lets the key through
  setTimeout(() => finish(true), 2000)
}

// A shortcut clicks its button, or puts the focus in its field: a manager's PIN field takes with
// it the digits already typed of a PIN in the scan field
function press(el) {
  if (!el?.matches('input')) return el?.click()
  if (el.matches('[data-approval-pin]')) movePin(el, PIN_START)
  el.focus()
}

// A manager's PIN typed into the scan field while a change waits for approval: the PIN field does
// not take the focus (a scanned code would be a PIN guess, till/_change_approval.edge), so a manager
// typing at once typed there, and the live search put the PIN in an address (/till/search?code=2222,
// which access logs keep) and Enter sent it as a scan. While the PIN form is shown, digits a PIN
// may start with (1 to 6) are not searched for, and Enter after 4 to 6 of them (a PIN, or a short
// product code) is held once: the digits stay in the scan field, selected (so the next scan
// replaces them rather than joining them), and the form's hint says F11 takes them to the PIN
// field and Enter again scans them. Nothing moves to the PIN field without F11, a key no scanner
// sends: a moved product code sent as a PIN counted towards the lock-out, and the barcode scanned
// next went into the hidden field. 1 to 3 digits, barcodes (7 digits or more) and words are
// scanned as before.
const PIN = /^\d{4,6}$/
const PIN_START = /^\d{1,6}$/
const approvalPin = () => [...document.querySelectorAll('[data-approval-pin]')].find(visible)
let heldCode = null
// The search goes 200 ms after the last key: digits typed while the PIN form was shown are not
// searched for though the form is gone by then (the cashier tapped + at once: the PIN was sent)
let typedUnderApproval = false
function movePin(field, pattern) {
  const input = scanInput()
  const typed = input?.value.trim() ?? ''
  if (!pattern.test(typed)) return false
  field.value = typed
  input.value = ''
  heldCode = null
  field.form?.querySelector('[data-pin-held]')?.setAttribute('hidden', '')
  field.form?.querySelector('[data-pin-moved]')?.removeAttribute('hidden')
  field.focus()
  return true
}
// Enter again means at once: anything typed since asks again
document.addEventListener('input', (event) => {
  if (event.target !== scanInput()) return
  heldCode = null
  typedUnderApproval = !!approvalPin()
})
document.addEventListener('htmx:confirm', (event) => {
  const input = scanInput()
  const field = input && approvalPin()
  if (!field) heldCode = null
  if (!input || (event.detail.elt !== input && event.detail.elt !== input.form)) return
  // A scan that waited its turn was read when its Enter came (below): the field holds the next one
  if (event.detail.triggeringEvent?.scannedCode !== undefined) return
  const typed = input.value.trim()
  if (event.detail.verb === 'get' && PIN_START.test(typed) && (field || typedUnderApproval)) return event.preventDefault()
  if (!field || event.detail.verb !== 'post') return
  if (PIN.test(typed) && heldCode !== typed) {
    event.preventDefault()
    heldCode = typed
    input.select()
    field.form?.querySelector('[data-pin-held]')?.removeAttribute('hidden')
    return
  }
  heldCode = null
})

// The scans themselves (the queue of scans on their way, a scan typed into the amount tendered, a
// payment, park or void waiting for the scans typed before it): public/js/scanning.js, loaded by till/show.edge

// "+" and "−" on a line: each tap counts, on a slow server too. Each sent the quantity drawn with the
// line plus or minus one, and a tap before the answer was dropped or sent the same: three taps on
// "+" at 2 made 3. A tap shows the quantity it asks for at once; one request per line is on its
// way at a time, and the taps made meanwhile go in the next, added to the quantity the server drew
// with its answer (the input's value attribute: a scan of the same product answered meanwhile is
// in it, which a quantity counted from the first tap overwrote)
const stepping = new Map()
const drawnQuantity = (field) => Number(field.defaultValue) || 0
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-step][data-item]')
  if (!button) return
  const id = button.dataset.item
  const field = document.querySelector(`#cart-line-${CSS.escape(id)} input[name="quantity"]`)
  if (!field) return
  const state = stepping.get(id) ?? { pending: 0, sent: 0, sending: false }
  state.pending += Number(button.dataset.step)
  field.value = String(Math.max(0, drawnQuantity(field) + state.sent + state.pending))
  stepping.set(id, state)
  sendStep(id, state)
})
function sendStep(id, state) {
  if (state.sending) return
  const field = document.querySelector(`#cart-line-${CSS.escape(id)} input[name="quantity"]`)
  if (!field || !state.pending) return stepping.delete(id)
  const quantity = Math.max(0, drawnQuantity(field) + state.pending)
  state.sent = quantity - drawnQuantity(field)
  state.pending = 0
  state.sending = true
  field.value = String(quantity)
  let failed = false
  const refused = (event) => (failed = !event.detail.successful)
  field.addEventListener('htmx:afterRequest', refused, { once: true })
  htmx.ajax('PATCH', `/till/items/${id}`, { source: field, values: { quantity }, target: '#cart-panel', swap: 'outerHTML' }).finally(() => {
    state.sending = false
    state.sent = 0
    // Refused (the message says why): the line shows its quantity again, and the taps made meanwhile are dropped
    if (failed) return stepping.delete(id)
    sendStep(id, state)
  })
}

// Shortcuts shown on the buttons (data-shortcut): F-keys work anywhere; Enter completes or starts a sale
document.addEventListener('keydown', (event) => {
  if (event.key === 'F2') {
    event.preventDefault()
    scanInput()?.focus()
    return
  }
  if (event.key === 'Escape') {
    const back = [...document.querySelectorAll('.pay .btn-quiet')].find(visible)
    if (back) back.click()
    clearMatches()
    scanInput()?.focus()
    return
  }
  if (/^F\d{1,2}$/.test(event.key)) {
    const shortcut = `[data-shortcut="${event.key}"]`
    // A part with its own button for the key (data-shortcut-scope: the exchange inside the Refund
    // form) takes the key while the focus is in it; elsewhere its button is not the key's. F9 in
    // the exchange sent the Refund around it
    const scope = document.activeElement?.closest?.('[data-shortcut-scope]')
    const target = () =>
      (scope && [...scope.querySelectorAll(shortcut)].find(visible)) ||
      [...document.querySelectorAll(shortcut)].find((el) => visible(el) && !el.closest('[data-shortcut-scope]')) ||
      // A payment method's key pressed in the cart opens the payment in that method (its button shows once open)
      [...document.querySelectorAll(`#cart-pay ${shortcut}`)].find((el) => !el.disabled && el.closest('#cart-pay').getClientRects().length > 0)
    if (target()) {
      event.preventDefault()
      afterSwaps(() => press(target()))
    }
    return
  }
  if (event.key === 'Enter' && !isTyping(document.activeElement)) {
    const input = scanInput()
    if (document.activeElement === input && input.value) return
    const next = document.querySelector('[data-action="new-sale"]')
    if (visible(next)) {
      event.preventDefault()
      // Enter pressed twice to complete a sale (or held down): the second one, answered in less
      // than its 150 ms, started the next sale and took the change due off the screen unread
      const shownAt = Number(next.closest('[data-completed-sale]')?.dataset.shownAt ?? 0)
      if (event.repeat || event.timeStamp - shownAt < NEW_SALE_AFTER_MS) return
      next.click()
    }
  }
})
// When a completed sale was drawn: Enter starts the next one only a moment later
const NEW_SALE_AFTER_MS = 1000
document.addEventListener('htmx:afterSwap', () => {
  const completed = document.querySelector('#cart-panel[data-completed-sale]:not([data-shown-at])')
  if (completed) completed.dataset.shownAt = String(performance.now())
})

// Behaviours named by data attributes instead of inline handlers, which the CSP forbids
document.addEventListener('click', (event) => {
  if (event.target.closest('[data-close-matches]')) clearMatches()
  // A search match taken: the search is done (its text stayed, and the next scan was read as
  // "gummy0711501010084"). On the click: the list it is in is gone by the time its answer is
  const input = event.target.closest('[data-clears-search]') && scanInput()
  if (input) input.value = ''
  if (event.target.closest('[data-print]')) window.print()
})
// A part of a form that Enter does not send (data-enter-moves: an exchange inside the Refund form,
// where a scanner's Enter after a barcode sent a cash refund): Enter moves to the field named by
// data-enter-to, as "this one is entered"; only a button there sends anything
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.isComposing || !event.target.matches?.('[data-enter-moves] input')) return
  event.preventDefault()
  const next = event.target.dataset.enterTo && document.getElementById(event.target.dataset.enterTo)
  if (next) next.focus()
})
document.addEventListener('change', (event) => {
  if (event.target.matches('[data-submit-on-change]')) event.target.form?.requestSubmit()
})
document.addEventListener('submit', (event) => {
  const form = event.target.closest('[data-confirm]')
  if (form && !window.confirm(form.dataset.confirm)) return event.preventDefault()
  // A page form clicked twice is sent once: the second click within a few seconds is dropped (the
  // server also writes a form's one-time key once: app/platform/form_submissions.ts). htmx forms
  // stay on the page and are sent as often as asked.
  const sent = event.target
  if (event.defaultPrevented || sent.method !== 'post' || sent.matches('[hx-post], [hx-put], [hx-patch], [hx-delete]')) return
  if (Date.now() - (sent.sentAt ?? 0) < 3000) return event.preventDefault()
  sent.sentAt = Date.now()
})

// The offline till (resources/js/offline, docs/offline.md) loads after the page has painted: it
// keeps the till ready to sell without the server and takes no part in an online sale
window.addEventListener('load', () => {
  if (document.getElementById('offline-till')) import('/js/build/offline-till.js')
})
