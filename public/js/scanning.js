/*
 * The till's scans: the scans on their way to the server, a code scanned into an amount of the
 * payment, and a payment, park or void that waits for the scans typed before it. A module loaded
 * by the till's page (till/show.edge) after public/js/app.js, whose handler holding a PIN typed
 * into the scan field must see a scan's confirmation first.
 */
import { scannerBursts } from './scanner_burst.js'

const scanInput = () => document.querySelector('[data-scan-input]')

// A scanner types its next code while the last one is still on its way: each scan is read when its
// Enter comes and the field emptied for the next, and the scans go one after the other, in order
// (hx-sync queue all on the form, till/show.edge), each with its own code. The field was emptied
// when an answer came back, and a scan sent meanwhile read the field then: the code being typed
// was cut, or lost with the scan it belonged to (the same code twice quickly counted one).
// Each scan read is numbered and counted as on its way until its answer (or failure) is back.
let scansTyped = 0
const scansOnTheirWay = new Set()
document.addEventListener('htmx:confirm', (event) => {
  const trigger = event.detail.triggeringEvent
  if (event.defaultPrevented || event.detail.verb !== 'post' || !event.detail.elt.matches?.('[data-scan-form]') || !trigger) return
  // A queued scan is confirmed again when its turn comes: it keeps the code read at its Enter
  if (trigger.scannedCode !== undefined) return
  const input = scanInput()
  const code = input?.value.trim() ?? ''
  if (!code) return event.preventDefault()
  trigger.scannedCode = code
  trigger.scanNumber = ++scansTyped
  scansOnTheirWay.add(trigger.scanNumber)
  input.value = ''
})
document.addEventListener('htmx:configRequest', (event) => {
  const code = event.detail.triggeringEvent?.scannedCode
  if (code !== undefined && event.detail.elt.matches?.('[data-scan-form]')) event.detail.parameters.code = code
})
document.addEventListener('htmx:afterRequest', (event) => {
  const number = event.detail.requestConfig?.triggeringEvent?.scanNumber
  if (number === undefined) return
  scansOnTheirWay.delete(number)
  if (held && number <= held.upTo && !addedItem(event.detail)) held.missed = true
  sendHeld()
})
// A scan's answer that put its item in the cart: the cart drawn in place (a code no product has
// is answered with the matches, HX-Retarget; a refusal or a lost answer is no success)
const addedItem = (detail) => detail.successful && !detail.xhr?.getResponseHeader('HX-Retarget')

// A payment (Complete sale, Enter in the amount, a card's record), a Park or a Void (the buttons
// marked data-waits-for-scans, till/_cart.edge) made while scans typed before it are still on their
// way waits for them: sent at once, it completed, parked or voided the sale without them, and the
// scan that reached the server after it went to the register's next cart, the next customer's sale.
// It goes once they are answered, with what the cashier paid: when the scans raised the total, that
// amount leaves the rest due on screen. Their answers draw a new payment panel, so the form it came
// from may be gone: a payment is sent from the same method's form of the panel drawn since, with
// its own values; a park or void from the cart drawn since.
// Park's note and Void's "are you sure?" are asked at the press, while the cashier is at it, and
// not again when it goes; cancelled, nothing goes (nor an action held before: the cashier changed
// their mind about this sale). One action waits at a time and the till says which; the latest
// press is the one that goes (the customer said "card" after all, or the amount was corrected, or
// the sale is parked instead), and Back to the cart (Esc) sends none.
// A scan it waits for that added nothing (its answer lost on the network, refused, a code no product
// has) stops it: sent all the same, the sale was completed without the item the cashier had scanned
// (and the customer left with it unpaid). The till says nothing was done and why; the cashier scans
// again and presses again.
let held = null
let sendingHeld = false
function waiting(doing) {
  document.querySelector('[data-held-waiting]')?.remove()
  const message = document.getElementById('till-message')
  if (!doing || !message) return
  const note = document.createElement('p')
  note.className = 'hint'
  note.dataset.heldWaiting = ''
  note.textContent = `Waiting for the items scanned to be added before ${doing}\u2026`
  message.append(note)
}
const waitsToDo = (elt) => (elt.matches?.('#cart-pay form[hx-post]') ? 'paying' : (elt.dataset?.waitsForScans ?? null))
function cancelHeld() {
  held = null
  waiting(null)
}
document.addEventListener('htmx:confirm', (event) => {
  const elt = event.detail.elt
  const doing = sendingHeld || event.defaultPrevented || !scansOnTheirWay.size ? null : waitsToDo(elt)
  if (!doing) return
  event.preventDefault()
  // A scan that added nothing while the action waited stops the press made since too (its "not
  // done" is said only when the scans are all back: pressed again meanwhile, it went without the item)
  const missed = held?.missed ?? false
  cancelHeld()
  const values = doing === 'paying' ? Object.fromEntries(new FormData(elt)) : {}
  const question = elt.getAttribute('hx-prompt')
  if (question) {
    const answer = window.prompt(question)
    if (answer === null) return
    // Sent as the field it names, as app.js does for a prompt answered at once (Park's note)
    if (elt.dataset.promptField) values[elt.dataset.promptField] = answer
  }
  if (event.detail.question && !window.confirm(event.detail.question)) return
  held = { doing, upTo: scansTyped, path: event.detail.path, method: elt.dataset.method, values, missed }
  waiting(doing)
})
document.addEventListener('click', (event) => {
  if (held && event.target.closest?.('[data-pay-back]')) cancelHeld()
})
document.addEventListener('keydown', (event) => {
  if (held && event.key === 'Escape') cancelHeld()
})
const NOT_DONE = { paying: 'Nothing was paid', parking: 'The sale was not parked', voiding: 'The sale was not voided' }
function sendHeld() {
  if (!held || [...scansOnTheirWay].some((number) => number <= held.upTo)) return
  const { doing, path, method, values, missed } = held
  cancelHeld()
  if (missed) return notDone(doing)
  const form = doing === 'paying' && document.querySelector(`#cart-pay form[data-method="${CSS.escape(method ?? '')}"]`)
  // Not the Park or Void button itself: htmx would ask its question again
  const source = form || document.getElementById('cart-panel')
  sendingHeld = true
  try {
    htmx.ajax('POST', path, { source, values, target: '#cart-panel', swap: 'outerHTML' })
  } finally {
    sendingHeld = false
  }
}

// Said after what the scan's answer shows (its refusal, the matches), and after "The server cannot be
// reached" that a lost answer writes over the message area (app.js, on htmx:sendError, which comes after)
function notDone(doing) {
  queueMicrotask(() => {
    const message = document.getElementById('till-message')
    if (!message) return
    const alert = document.createElement('div')
    alert.className = 'alert alert-error'
    alert.setAttribute('role', 'alert')
    alert.textContent = `${NOT_DONE[doing] ?? 'Nothing was done'}: an item scanned before it was not added. Check the cart, scan the item again, then try again.`
    message.append(alert)
    message.dataset.shownAt = String(performance.now())
  })
}

// A code scanned into an amount of the payment (scanner_burst.js tells it from typed keys): the
// field gets back what it held, and the code goes to the scan field as a scan of the sale being paid
const amountKeys = scannerBursts()
document.addEventListener('keydown', (event) => {
  const field = event.target
  if (!field.matches?.('#cart-pay input[inputmode="decimal"]')) return amountKeys.reset()
  const scan = amountKeys.key(event, field)
  const input = scanInput()
  if (!scan || !input) return
  event.preventDefault()
  field.value = scan.before
  field.dispatchEvent(new Event('input', { bubbles: true }))
  input.value = scan.code
  input.form.requestSubmit()
})
