import { formatMoney, minorToDecimal, parseMoney, parsePercent } from '../../../app/core/index.ts'
import { findByCode, grid, loadCodeIndex, search } from './catalog.js'
import { button, h } from './dom.js'
import { payPanel, receiptPanel } from './pay_screen.js'

/*
| The offline cart screen: what a cashier sees while the server is out of reach. Scan or search,
| the grid by category, the cart with quantities, discounts and removal, payment (pay_screen.js)
| and the receipt. It replaces the online till's main area; the header stays, with what needs
| the server disabled and saying why (till.js).
| A scan draws only what it changes (refresh): the new line, or the quantity of the line it added
| to and its amount, the totals and the payment panel; the cart is priced whole each time by the
| core, as the server prices it. Everything else (a removal, a discount, a payment) draws the cart
| again whole (render).
*/

export const NOT_OFFLINE = 'Not while offline: price overrides with a manager PIN, returns, new customers, loyalty points, gateway payments, parked sales, closing the shift and switching user need the server.'

export class OfflineScreen {
  constructor(root, till) {
    this.root = root
    this.till = till
    this.cart = till.cart
    this.money = (minor) => formatMoney(minor, till.settings.store.currency)
    this.receipt = null
    this.category = null
    this.view = null
    this.build()
    // Scans look codes up in memory once this is built (catalog.js)
    loadCodeIndex(till.db)
  }

  build() {
    const input = h('input', { id: 'offline-scan', type: 'search', placeholder: 'Scan or search', 'aria-label': 'Scan or search', autocomplete: 'off', maxLength: 64, oninput: () => this.searchSoon() })
    this.scanInput = input
    this.message = h('div', { class: 'offline-message', 'aria-live': 'assertive', 'data-testid': 'offline-message' })
    this.matches = h('div', { class: 'matches', 'aria-live': 'polite' })
    this.grid = h('div', { class: 'product-grid', 'aria-label': 'Product buttons' })
    const categories = h('nav', { class: 'categories', 'aria-label': 'Categories' }, button('All', () => this.showGrid(null)), this.till.settings.categories.map((c) => button(c.name, () => this.showGrid(c.id))))
    const form = h('form', { class: 'scan', onsubmit: (e) => (e.preventDefault(), this.scan(input.value.trim())) }, input)
    this.cartPanel = h('div', { class: 'cart', id: 'offline-cart' })
    this.root.replaceChildren(
      h('section', { class: 'till-left', 'aria-label': 'Products' }, h('p', { class: 'hint offline-limits' }, NOT_OFFLINE), form, this.message, this.matches, categories, this.grid),
      h('section', { class: 'till-right', 'aria-label': 'Cart' }, this.cartPanel)
    )
  }

  say(text) {
    this.message.textContent = text ?? ''
  }

  /** A notice that stays at the top while the screen is shown (a scan clears the message area) */
  warn(text) {
    this.root.querySelector('.till-left')?.prepend(h('p', { class: 'alert alert-warning', role: 'alert', 'data-testid': 'offline-warning' }, text))
  }

  /**
   * What was typed into the online scan field and not sent yet goes on here: the screen changes at
   * any keystroke (a failed request, a heartbeat), and a code a scanner or the cashier was typing
   * was cut in two, its start left in the hidden online field, its end (and Enter) scanned offline
   * as a code of its own. A scan already sent is not carried: its field was emptied as it went.
   */
  carryTypedScan() {
    const online = document.querySelector('.till-main:not(#offline-till) [data-scan-input]')
    if (!online?.value) return
    this.scanInput.value = online.value
    online.value = ''
  }

  /** Drawn whole before till.js shows it */
  async draw() {
    await this.showGrid(this.category)
    await this.render()
  }

  async scan(code) {
    if (!code) return
    const product = await findByCode(this.till.db, code)
    if (product) {
      this.scanInput.value = ''
      this.matches.replaceChildren()
      return this.add(product)
    }
    await this.showMatches(code)
    if (!this.matches.childElementCount) this.say(`Nothing found for "${code}" in this till's catalog`)
  }

  searchSoon() {
    clearTimeout(this.searchTimer)
    this.searchTimer = setTimeout(() => this.showMatches(this.scanInput.value), 120)
  }

  async showMatches(text) {
    const found = text.trim().length >= 2 ? await search(this.till.db, text) : []
    this.matches.replaceChildren(...found.map((p) => button(`${p.name} · ${this.money(p.price)}`, () => this.add(p), { class: 'btn btn-small match' })))
  }

  async showGrid(categoryId) {
    this.category = categoryId
    const products = await grid(this.till.db, categoryId)
    this.grid.replaceChildren(...products.map((p) => h('button', { type: 'button', class: 'btn tile', 'aria-label': `Add ${p.name}`, title: p.name, onclick: () => this.add(p) }, h('span', { class: 'tile-name' }, p.name), h('span', { class: 'tile-meta' }, h('span', { class: 'money' }, this.money(p.price))))))
    if (!products.length) this.grid.replaceChildren(h('p', { class: 'hint' }, "This till's catalog copy is empty: it loads while the server can be reached."))
  }

  async add(product) {
    if (this.receipt) this.newSale()
    if (this.cart.payments.length) return this.say('A payment is taken: finish the sale first')
    const added = this.cart.items.length
    const index = this.cart.add(product)
    this.say('')
    await this.refresh(index, index === added)
    this.scanInput.focus()
  }

  /** After a scan: the new line (or the quantity and amount of the line it added to), the totals and the payment panel */
  async refresh(index, isNew) {
    const view = this.view
    if (!view || this.receipt || (isNew ? index !== view.lines.length : index >= view.lines.length)) return this.render()
    const priced = await this.cart.price()
    if (this.cart.problem || !priced || !view.pay || this.view !== view) return this.render()
    const item = this.cart.items[index]
    if (isNew) {
      const line = this.line(item, index, priced.lines[index], false)
      view.list.append(line.li)
      view.lines.push(line)
    } else {
      // (A scan adds to a line without a discount only, cart.js: no discount badge changes here)
      view.lines[index].quantity.value = item.quantity
      view.lines[index].amount.textContent = this.money(priced.lines[index].subtotal)
    }
    view.totals.subtotal.textContent = this.money(priced.subtotal)
    view.totals.discounts.textContent = `−${this.money(priced.discountTotal)}`
    view.totals.tax.textContent = this.money(priced.taxTotal)
    view.totals.total.textContent = this.money(priced.total)
    const pay = payPanel(this)
    view.pay.replaceWith(pay)
    view.pay = pay
  }

  async change(work) {
    try {
      await work()
      this.say('')
    } catch (error) {
      this.say(error.message)
    }
    await this.render()
  }

  newSale() {
    this.receipt = null
    this.cart.clear()
    this.till.saleClosed()
  }

  async render() {
    this.view = null
    if (this.receipt) return this.cartPanel.replaceChildren(receiptPanel(this, this.receipt))
    await this.cart.price()
    const { cart } = this
    if (cart.problem) this.say(cart.problem)
    const priced = cart.priced
    const locked = cart.payments.length > 0
    const lines = cart.items.map((item, index) => this.line(item, index, priced?.lines[index], locked))
    const totalsOf = {}
    const discountType = h('select', { class: 'u-auto', 'aria-label': 'Cart discount type' }, h('option', { value: 'percent' }, '% off sale'), h('option', { value: 'amount' }, `${this.till.settings.store.currency} off sale`), h('option', { value: 'none' }, 'No discount'))
    const discountValue = h('input', { class: 'u-w6', inputMode: 'decimal', 'aria-label': 'Cart discount value' })
    const totals = priced
      ? h('div', { class: 'totals', 'aria-label': 'Totals' },
          this.row('Subtotal', this.money(priced.subtotal), 'subtotal', undefined, totalsOf),
          this.row('Discounts', `−${this.money(priced.discountTotal)}`, 'discounts', undefined, totalsOf),
          this.row(this.till.settings.store.prices_include_tax ? 'Tax included' : 'Tax', this.money(priced.taxTotal), 'tax', undefined, totalsOf),
          this.row('Total', this.money(priced.total), 'total', 'grand', totalsOf),
          cart.payments.map((p, i) => h('div', {}, h('span', {}, p.method === 'cash' ? 'Cash' : `Card (${p.reference})`), h('span', {}, h('span', { class: 'money' }, `−${this.money(p.amount)}`), button('×', () => this.change(() => cart.removePayment(i)), { class: 'btn btn-small btn-quiet', 'aria-label': 'Remove payment' })))))
      : null
    const list = cart.empty ? null : h('ol', { class: 'cart-lines', 'aria-label': 'Cart lines' }, lines.map((line) => line.li))
    const pay = cart.empty || !priced ? null : payPanel(this)
    this.cartPanel.replaceChildren(
      list ?? h('p', { class: 'cart-empty' }, 'Scan a product or tap one to start a sale.'),
      totals ?? '',
      h('div', { class: 'actions cart-actions' }, button('Void', () => this.void(), { class: 'btn btn-small btn-danger', disabled: cart.empty || locked })),
      h('form', { class: 'meta cart-discount', 'aria-label': 'Cart discount', onsubmit: (e) => (e.preventDefault(), this.change(() => cart.setCartDiscount(...this.discountOf(discountType.value, discountValue.value)))) },
        discountType, discountValue, h('button', { class: 'btn btn-small', type: 'submit', disabled: cart.empty || locked }, 'Apply')),
      pay ?? ''
    )
    // What a scan may change, kept to draw it alone (refresh); not while a payment is taken
    this.view = list && !locked ? { list, lines, totals: totalsOf, pay } : null
  }

  row(label, value, testid, cls, into = {}) {
    into[testid] = h('span', { class: 'money', 'data-testid': testid }, value)
    return h('div', { class: cls }, h('span', {}, label), into[testid])
  }

  line(item, index, priced, locked) {
    const name = item.name
    const quantity = h('input', { type: 'number', min: 0, max: 9999, step: 1, value: item.quantity, 'aria-label': `Quantity of ${name}`, disabled: locked, onchange: () => this.change(() => this.cart.setQuantity(index, Number(quantity.value))) })
    const discountType = h('select', { class: 'u-auto', 'aria-label': `Discount type for ${name}` }, h('option', { value: 'percent' }, '%'), h('option', { value: 'amount' }, this.till.settings.store.currency), h('option', { value: 'none' }, 'None'))
    const discountValue = h('input', { class: 'u-w6', inputMode: 'decimal', 'aria-label': `Discount value for ${name}`, placeholder: '10' })
    const discountForm = h('form', { class: 'meta', hidden: true, onsubmit: (e) => (e.preventDefault(), this.change(() => this.cart.setLineDiscount(index, ...this.discountOf(discountType.value, discountValue.value)))) },
      discountType, discountValue, h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, 'Apply'))
    // The receipt's amount: quantity × price, before discounts and tax (the lines add up to the Subtotal)
    const amount = h('span', { class: 'money' }, priced ? this.money(priced.subtotal) : '')
    const li = h('li', { class: 'cart-line' },
      h('span', { class: 'name' }, name),
      amount,
      h('div', { class: 'meta' },
        h('span', { class: 'qty' },
          button('−', () => this.change(() => this.cart.setQuantity(index, item.quantity - 1)), { 'aria-label': `One less ${name}`, disabled: locked }),
          quantity,
          button('+', () => this.change(() => this.cart.setQuantity(index, item.quantity + 1)), { 'aria-label': `One more ${name}`, disabled: locked })),
        h('span', {}, `× ${this.money(item.unit_price)}`),
        priced?.lineDiscount ? h('span', { class: 'badge' }, `−${this.money(priced.lineDiscount)}`) : '',
        button('Discount', () => (discountForm.hidden = !discountForm.hidden), { class: 'btn btn-small btn-quiet', 'aria-label': `Discount on ${name}`, disabled: locked }),
        button('Price', null, { class: 'btn btn-small btn-quiet', disabled: true, title: 'A price override needs a manager PIN, checked by the server: not offline', 'aria-label': `Change price of ${name} (not offline)` }),
        button('Remove', () => this.change(() => this.cart.remove(index)), { class: 'btn btn-small btn-danger', 'aria-label': `Remove ${name}`, disabled: locked })),
      discountForm)
    return { li, amount, quantity }
  }

  /** "10" or "12,5" as a percent -> 1000 or 1250 basis points; as an amount -> minor units (the online till's rule) */
  discountOf(type, text) {
    if (type === 'none' || !String(text).trim()) return [null, 0]
    if (type === 'percent') {
      const value = parsePercent(text)
      if (value === null) throw new Error('A percent discount must be between 0 and 100')
      return ['percent', value]
    }
    const minor = parseMoney(text, this.till.settings.store.currency)
    if (minor === null || minor < 0) throw new Error('The discount must be a positive amount')
    return ['amount', minor]
  }

  async void() {
    if (!window.confirm('Void the whole sale?')) return
    this.cart.clear()
    this.say('Sale voided')
    await this.render()
  }

  decimal(minor) {
    return minorToDecimal(minor, this.till.settings.store.currency)
  }
}
