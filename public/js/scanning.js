/*
 * The till's scans: the scans on their way to the server, a code scanned into an amount of the
 * payment, and a payment that waits for the scans typed before it. A module loaded by the till's
 * page (till/show.edge) after public/js/app.js, whose handler holding a PIN typed into the scan
 * field must see a scan's confirmation first.
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
  sendHeldPayment()
})

// A payment (Complete sale, Enter in the amount, a card's record) made while scans typed before it
// are still on their way waits for them: it was sent at once, completed the sale without them, and
// the scan sent after it opened the next customer's sale with that item. It goes once they are
// answered, with what the cashier paid: when the scans raised the total, that amount leaves the
// rest due on screen. Their answers draw a new payment panel, so the form it came from may be
// gone: it is sent from the same method's form of the panel drawn since, with its own values.
// The till says it waits; the latest press is the one that goes (the customer said "card" after
// all, or the amount was corrected), and Back to the cart (Esc) sends none.
let held = null
let sendingHeld = false
function waiting(on) {
  document.querySelector('[data-payment-waiting]')?.remove()
  const message = document.getElementById('till-message')
  if (!on || !message) return
  const note = document.createElement('p')
  note.className = 'hint'
  note.dataset.paymentWaiting = ''
  note.textContent = 'Waiting for the items scanned to be added before paying\u2026'
  message.append(note)
}
document.addEventListener('htmx:confirm', (event) => {
  const form = event.detail.elt
  if (sendingHeld || event.defaultPrevented || !form.matches?.('#cart-pay form[hx-post]') || !scansOnTheirWay.size) return
  event.preventDefault()
  held = { upTo: scansTyped, path: event.detail.path, method: form.dataset.method, values: Object.fromEntries(new FormData(form)) }
  waiting(true)
})
document.addEventListener('click', (event) => {
  if (!held || !event.target.closest?.('[data-pay-back]')) return
  held = null
  waiting(false)
})
function sendHeldPayment() {
  if (!held || [...scansOnTheirWay].some((number) => number <= held.upTo)) return
  const { path, method, values } = held
  held = null
  waiting(false)
  const source = document.querySelector(`#cart-pay form[data-method="${CSS.escape(method ?? '')}"]`) ?? document.getElementById('cart-panel')
  sendingHeld = true
  try {
    htmx.ajax('POST', path, { source, values, target: '#cart-panel', swap: 'outerHTML' })
  } finally {
    sendingHeld = false
  }
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
