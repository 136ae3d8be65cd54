import { currencyDigits, parseMoney } from '../../../app/core/index.ts'
import { scannerBursts } from '../../../public/js/scanner_burst.js'
import { button, h } from './dom.js'

/*
| Paying offline: cash (tendered, change due, quick amounts) and the external card terminal
| (the amount and its approval code); several payments make a split tender. The last payment
| records the sale (durably, queue.js) and only then the receipt shows, with its final number.
| Gateway payments and loyalty points need the server: shown disabled, with the reason.
*/

export function payPanel(screen) {
  const { cart } = screen
  const currency = screen.till.settings.store.currency
  const cashDue = cart.due('cash')
  const cardDue = cart.due('card_external')
  let method = screen.payMethod ?? 'cash'
  const tendered = h('input', { id: 'offline-tendered', inputMode: 'decimal', autocomplete: 'off', placeholder: screen.decimal(cashDue), 'aria-label': 'Amount tendered' })
  const change = h('span', { class: 'change', 'data-testid': 'change-preview' }, '')
  const preview = () => {
    const given = parseMoney(tendered.value || screen.decimal(cashDue), currency)
    change.textContent = given !== null && given >= cashDue ? screen.money(given - cashDue) : '—'
  }
  tendered.addEventListener('input', preview)
  preview()
  const quick = quickAmounts(cashDue, currency).map((amount, i) =>
    button(i === 0 ? 'Exact' : screen.money(amount), () => ((tendered.value = screen.decimal(amount)), preview()), { 'aria-label': i === 0 ? 'Exact amount' : `Tendered ${screen.money(amount)}` })
  )
  const cashForm = h('form', { 'aria-label': 'Cash payment', hidden: method !== 'cash', onsubmit: (e) => (e.preventDefault(), pay(screen, 'cash', tendered.value || screen.decimal(cashDue))) },
    h('div', { class: 'field' }, h('label', { for: 'offline-tendered' }, 'Amount tendered'), tendered),
    h('div', { class: 'quick', role: 'group', 'aria-label': 'Quick amounts' }, quick),
    h('p', {}, 'Change due: ', change),
    h('button', { class: 'btn btn-primary btn-large', type: 'submit' }, 'Complete sale'))
  const cardAmount = h('input', { id: 'offline-card-amount', inputMode: 'decimal', value: screen.decimal(cardDue), 'aria-label': 'Amount charged on the card machine' })
  const approval = h('input', { id: 'offline-approval', maxLength: 120, autocomplete: 'off', required: true, 'aria-label': 'Approval code' })
  const cardForm = h('form', { 'aria-label': 'Card payment', hidden: method !== 'card_external', onsubmit: (e) => (e.preventDefault(), pay(screen, 'card_external', cardAmount.value, approval.value.trim())) },
    h('div', { class: 'field' }, h('label', { for: 'offline-card-amount' }, 'Amount charged on the card machine'), cardAmount),
    h('div', { class: 'field' }, h('label', { for: 'offline-approval' }, 'Approval code from the card machine'), approval),
    h('button', { class: 'btn btn-primary btn-large', type: 'submit' }, 'Card approved: record payment'))
  // A code scanned into an amount (the online till's rule, public/js/scanner_burst.js) is a scan of
  // the sale, never an amount: 4011 scanned into the amount tendered completed a sale with $4,011
  const bursts = scannerBursts()
  for (const field of [tendered, cardAmount]) {
    field.addEventListener('keydown', (event) => {
      const scan = bursts.key(event, field)
      if (!scan) return
      event.preventDefault()
      field.value = scan.before
      preview()
      screen.scanInput.value = scan.code
      screen.scan(scan.code)
    })
  }
  const choose = (chosen) => {
    screen.payMethod = chosen
    cashForm.hidden = chosen !== 'cash'
    cardForm.hidden = chosen !== 'card_external'
    cashButton.setAttribute('aria-pressed', String(chosen === 'cash'))
    cardButton.setAttribute('aria-pressed', String(chosen === 'card_external'))
  }
  const cashButton = button('Cash', () => choose('cash'), { 'aria-pressed': String(method === 'cash') })
  const cardButton = button('Card (terminal)', () => choose('card_external'), { 'aria-pressed': String(method === 'card_external') })
  return h('section', { class: 'pay', 'aria-label': 'Payment' },
    h('div', { class: 'grand' }, h('span', {}, 'Due '), h('strong', { class: 'money', 'data-testid': 'due' }, screen.money(cardDue))),
    h('div', { class: 'quick', role: 'group', 'aria-label': 'Payment method' },
      cashButton, cardButton,
      button('Gateway / loyalty', null, { disabled: true, title: 'Gateway payments and loyalty points need the server: not offline' })),
    cashForm, cardForm)
}

async function pay(screen, method, text, reference) {
  const amount = parseMoney(text, screen.till.settings.store.currency)
  let settled
  try {
    if (amount === null) throw new Error('Enter an amount')
    settled = screen.cart.pay(method, amount, { reference })
  } catch (error) {
    screen.say(error.message)
    return
  }
  if (!settled) {
    screen.say('Part payment taken: pay the rest')
    return screen.render()
  }
  try {
    // On disk (IndexedDB, durability "strict") before the receipt shows
    screen.receipt = await screen.till.recordSale()
    screen.say('')
  } catch (error) {
    screen.cart.payments.pop()
    screen.say(notSaved(error))
  }
  await screen.render()
}

// Why a sale could not be saved on the device, in words the cashier can act on. The browser's own
// for a full disk ("The quota has been exceeded") said neither what was lost nor what to do
function notSaved(error) {
  if (error?.name === 'QuotaExceededError') {
    return "The sale was not saved: this device's storage is full. Its payment was not recorded and the cart is kept: free space on the device (or let the waiting sales sync once the server is back), then take the payment again."
  }
  return `The sale could not be saved on this device: ${error.message}`
}

/** Exact, then the next round amounts in notes (5, 10, 20, 50, 100 of the major unit) */
function quickAmounts(due, currency) {
  const unit = 10 ** currencyDigits(currency)
  const amounts = [due]
  for (const note of [5, 10, 20, 50, 100]) {
    const next = Math.ceil(due / (note * unit)) * note * unit
    if (next > amounts.at(-1) && amounts.length < 4) amounts.push(next)
  }
  return amounts
}

export function receiptPanel(screen, sale) {
  const { settings } = screen.till
  const money = screen.money
  const change = sale.payments.reduce((sum, p) => sum + (p.method === 'cash' ? p.tendered - p.amount : 0), 0)
  return h('div', { class: 'offline-receipt u-pad', 'data-testid': 'offline-receipt' },
    h('p', { class: 'u-big no-print' }, change > 0 ? h('span', {}, 'Change due: ', h('strong', { class: 'change', 'data-testid': 'change-due' }, money(change))) : 'No change due.'),
    h('div', { class: 'u-row u-mb no-print' },
      button('New sale', () => (screen.newSale(), screen.render(), screen.scanInput.focus()), { class: 'btn btn-primary', 'data-action': 'new-sale' }),
      button('Print receipt', () => window.print(), { class: 'btn' })),
    h('p', { class: 'hint no-print' }, 'Saved on this till; it goes to the server by itself when the server can be reached. Printed through the browser: the register\'s printer needs the server.'),
    h('div', { class: 'receipt', 'aria-label': 'Receipt' },
      h('h2', {}, settings.store.name),
      h('p', {}, `${screen.till.registerName} · Sale `, h('strong', { 'data-testid': 'sale-number' }, `#${sale.number}`)),
      h('p', {}, new Date(sale.completed_at).toLocaleString('en-GB', { timeZone: settings.store.time_zone }), ` · ${settings.user.name}`),
      h('table', {}, h('tbody', {}, sale.items.map((item) => h('tr', {}, h('td', {}, `${item.quantity} × ${item.name}`), h('td', { class: 'money' }, money(item.quantity * item.unit_price)))))),
      h('div', { class: 'totals' },
        h('div', {}, h('span', {}, 'Subtotal'), h('span', { class: 'money' }, money(sale.subtotal))),
        sale.discount_total ? h('div', {}, h('span', {}, 'Discounts'), h('span', { class: 'money' }, `−${money(sale.discount_total)}`)) : '',
        h('div', {}, h('span', {}, settings.store.prices_include_tax ? 'Tax included' : 'Tax'), h('span', { class: 'money' }, money(sale.tax_total))),
        h('div', { class: 'grand' }, h('span', {}, 'Total'), h('span', { class: 'money', 'data-testid': 'receipt-total' }, money(sale.total))),
        sale.rounding ? h('div', {}, h('span', {}, 'Cash rounding'), h('span', { class: 'money' }, money(sale.rounding))) : '',
        sale.payments.map((p) => h('div', {}, h('span', {}, p.method === 'cash' ? `Cash (tendered ${money(p.tendered)})` : `Card, approval ${p.reference}`), h('span', { class: 'money' }, money(p.amount))))),
      h('p', { class: 'hint' }, 'Made while offline')))
}
