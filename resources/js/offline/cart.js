import { MAX_QUANTITY, MAX_SALE_TOTAL, cashShortOfRounding, discountNeedsManager, formatMoney, discountShareOf, discountsWithin, offlineAmountDue, percentDiscountsOf, priceOfflineCart } from '../../../app/core/index.ts'

/*
| The offline cart: lines as the server's offline sale body has them, priced by the core's
| pricing (the very code the server checks them with), at the tax rates of the device's copy of
| the settings. Discounts are what a cashier may give online (0 to 100%, or an amount up to the
| line) up to the store's discount limit; past it, and for a price override, a manager's PIN is
| checked on the server, so offline only a manager signed in to the till gives them
| (app/sales/discount_limit.ts; the server still reviews a cashier's sale over the limit).
*/
export class OfflineCart {
  constructor(settings) {
    this.settings = settings
    this.rates = new Map(settings.tax_rates.map((r) => [r.tax_class, r.rate_ppm]))
    this.clear()
  }

  clear() {
    this.items = []
    this.cartDiscount = { type: null, value: 0 }
    this.payments = []
    this.priced = null
    this.problem = null
  }

  get empty() {
    return this.items.length === 0
  }

  /** Adds to the product's line without a discount, or as a new line; answers the line's index */
  add(product, quantity = 1) {
    const index = this.items.findIndex((i) => i.product_id === product.id && !i.discount_type)
    if (index >= 0) {
      this.setQuantity(index, this.items[index].quantity + quantity)
      return index
    }
    this.items.push({
      product_id: product.id,
      name: product.name,
      sku: product.sku,
      quantity: Math.min(quantity, MAX_QUANTITY),
      list_price: product.price,
      unit_price: product.price,
      tax_class: product.tax_class,
      tax_rate_ppm: this.rates.get(product.tax_class) ?? 0,
      discount_type: null,
      discount_value: 0,
    })
    return this.items.length - 1
  }

  setQuantity(index, quantity) {
    if (!Number.isInteger(quantity) || quantity < 0) throw new Error('A quantity is a whole number')
    if (quantity === 0) return this.remove(index)
    this.items[index].quantity = Math.min(quantity, MAX_QUANTITY)
  }

  remove(index) {
    this.items.splice(index, 1)
  }

  /** percent in basis points (12.5% = 1250), amount in minor units; type null removes it */
  async setLineDiscount(index, type, value) {
    checkDiscount(type, value)
    const item = this.items[index]
    const before = { discounts: this.#discountsNow(), type: item.discount_type, value: item.discount_value }
    item.discount_type = type && value > 0 ? type : null
    item.discount_value = type && value > 0 ? value : 0
    await this.#withinLimit(before.discounts, () => Object.assign(item, { discount_type: before.type, discount_value: before.value }))
  }

  async setCartDiscount(type, value) {
    checkDiscount(type, value)
    const before = { discounts: this.#discountsNow(), discount: this.cartDiscount }
    this.cartDiscount = type && value > 0 ? { type, value } : { type: null, value: 0 }
    await this.#withinLimit(before.discounts, () => (this.cartDiscount = before.discount))
  }

  /** The cart as the discount limit reads it (app/core/discount_share.ts), as last priced */
  #discounted() {
    const cart = { subtotal: this.priced?.subtotal ?? 0, discountTotal: this.priced?.discountTotal ?? 0, cartDiscountType: this.cartDiscount.type, cartDiscountValue: this.cartDiscount.value }
    return { ...cart, percentDiscounts: percentDiscountsOf(this.items.map((i) => ({ discountType: i.discount_type, discountValue: i.discount_value })), { type: cart.cartDiscountType, value: cart.cartDiscountValue }) }
  }

  #discountShare() {
    return discountShareOf(this.#discounted())
  }

  /** The discounts' share and amount, as the limit compares a change with them */
  #discountsNow() {
    return { shareBp: this.#discountShare(), amount: this.priced?.discountTotal ?? 0 }
  }

  #withinShare(limitBp) {
    return discountsWithin(this.#discounted(), limitBp)
  }

  /** The share a cashier may give offline (no manager's PIN can be checked here); null for a manager */
  get #cashierLimit() {
    return this.settings.user?.role === 'cashier' ? (this.settings.store.discount_limit ?? 10_000) : null
  }

  /**
   * A cashier's discount that needs a manager is taken back (`undo`) and refused: the server's
   * rule (core discountNeedsManager), with no approval (no PIN can be checked offline). One that
   * raises neither the share nor the amount of the discounts (`before`) is let through, as online
   */
  async #withinLimit(before, undo) {
    await this.price()
    const limit = this.#cashierLimit
    if (limit !== null && discountNeedsManager(this.#discounted(), before, limit)) {
      const share = this.#discountShare()
      undo()
      await this.price()
      // Online the cashier would be offered a manager's PIN; offline none can be checked, so say what to do instead
      throw new Error(`A discount of more than ${limit / 100}% of the sale needs a manager's PIN, which cannot be checked offline: this one comes to ${share / 100}%. Give at most ${limit / 100}% (offline, only a manager signed in to this till gives more)`)
    }
  }

  /** Prices the cart; a refusal (a line too large, a discount over its line) is kept as the problem to show */
  async price() {
    const { store } = this.settings
    try {
      this.priced = this.items.length ? await priceOfflineCart(this.items, this.cartDiscount, { id: store.id, pricesIncludeTax: store.prices_include_tax }) : null
      this.problem = null
    } catch (error) {
      this.problem = error.message
    }
    return this.priced
  }

  get total() {
    return this.priced?.total ?? 0
  }

  due(method) {
    return offlineAmountDue(this.total, this.payments, method, this.settings.store.cash_rounding)
  }

  /** Records a payment; answers whether the sale is paid in full */
  pay(method, amount, details = {}) {
    // A quantity lowered or a line removed under a discount can take it past the limit too
    const limit = this.#cashierLimit
    if (limit !== null && !this.#withinShare(limit)) {
      throw new Error(`The discounts come to ${this.#discountShare() / 100}% of the sale, past the store's limit of ${limit / 100}%, and no manager's PIN can be checked offline: lower a discount, or put back the quantity it was given on, before taking payment`)
    }
    const due = this.due(method)
    // A sale of nothing to pay (free items, 100% off) completes with one cash payment of
    // nothing, as online; the server's check takes it (app/sales/offline_sale_check.ts)
    if (this.total === 0) {
      if (method !== 'cash') throw new Error('Nothing to pay: complete the sale with Cash')
      // A double click paid it twice: a second sale of two payments of nothing, which the server refuses
      if (this.payments.length) throw new Error('This sale is already paid')
      this.payments.push({ method, amount: 0, tendered: 0, reference: null })
      return true
    }
    if (!(amount > 0)) throw new Error('Enter an amount')
    // As the server's limit: a barcode scanned into the amount was a sale no sync could send
    if (amount > MAX_SALE_TOTAL) throw new Error('That amount is more than a sale may take: check what was typed')
    if (method === 'cash') {
      if (due === 0) throw new Error('What is left is less than the smallest coin: take it by card')
      // As online (core cashShortOfRounding): 9.69 of 9.68 where 9.70 is due in cash is neither
      // the whole nor a part
      const balance = this.due('card')
      if (cashShortOfRounding(amount, balance, this.settings.store.cash_rounding)) throw new Error(`In cash ${formatMoney(due, this.settings.store.currency)} is due (rounded to the smallest coin): take that, or less as a part payment`)
      this.payments.push({ method, amount: Math.min(amount, due), tendered: amount, reference: null })
      return amount >= due
    }
    if (amount > due) throw new Error('A card payment may not be more than what is due')
    if (!details.reference) throw new Error('Enter the approval code from the card machine')
    // As the server keeps it (app/sales/offline_sale_check.ts, cleanReference): a scanner's control
    // codes or a pasted text-direction mark would be taken out of what was typed
    if (/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/.test(details.reference)) throw new Error('The approval code holds a character no card machine prints: type it again')
    if (details.reference.length > 120) throw new Error('An approval code has at most 120 characters')
    this.payments.push({ method, amount, tendered: null, reference: details.reference })
    return amount === due
  }

  removePayment(index) {
    this.payments.splice(index, 1)
  }

  get changeDue() {
    return this.payments.reduce((sum, p) => sum + (p.method === 'cash' ? p.tendered - p.amount : 0), 0)
  }

  /**
   * The sale without its number and hash (queue.js adds them in the transaction that moves the head),
   * made at `at` (the server's time as the till reckons it: till.js, its clock's offset)
   */
  draft(ids, at = Date.now()) {
    const now = new Date(at)
    now.setMilliseconds(0)
    return {
      client_uuid: crypto.randomUUID(),
      device_id: ids.deviceId,
      register_id: ids.registerId,
      user_id: ids.userId,
      completed_at: now.toISOString(),
      cart_discount_type: this.cartDiscount.type,
      cart_discount_value: this.cartDiscount.value,
      items: this.items.map((i) => ({ ...i })),
      payments: this.payments.map((p) => ({ ...p })),
    }
  }
}

function checkDiscount(type, value) {
  if (!type) return
  if (!Number.isInteger(value) || value < 0 || (type === 'percent' && value > 10_000)) {
    throw new Error(type === 'percent' ? 'A percent discount must be between 0 and 100' : 'The discount must be a positive amount')
  }
}
