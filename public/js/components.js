/*
 * The Alpine components of the pages. Alpine's CSP build (the page's Content-Security-Policy
 * has no 'unsafe-eval') evaluates only simple expressions in attributes, so the state and the
 * logic live here and the templates name them: x-data="payment", @click="choose('cash')".
 * Values from the server come in data-* attributes of the component's root.
 * Loaded before Alpine (both deferred, in order), so alpine:init finds Alpine.data.
 */
document.addEventListener('alpine:init', () => {
  const Alpine = window.Alpine

  // A cart line's discount and price forms: one open at a time
  Alpine.data('cartLine', () => ({
    editing: null,
    toggle(form) {
      this.editing = this.editing === form ? null : form
    },
    isEditing(form) {
      return this.editing === form
    },
  }))

  // Payment: choosing a method, the tendered amount and the change due (data-due, data-digits)
  Alpine.data('payment', () => ({
    method: null,
    tendered: '',
    due: 0,
    digits: 2,
    init() {
      this.due = Number(this.$root.dataset.due) || 0
      this.digits = Number(this.$root.dataset.digits) || 0
    },
    choosing() {
      return this.method === null
    },
    paying() {
      return this.method !== null
    },
    isMethod(id) {
      return this.method === id
    },
    choose(id) {
      this.method = id
    },
    startCash() {
      this.method = 'cash'
      this.$nextTick(() => this.$refs.tendered?.focus())
    },
    back() {
      this.method = null
    },
    setTendered(amount) {
      this.tendered = amount
    },
    change() {
      const tendered = Math.round(parseFloat(this.tendered || '0') * 10 ** this.digits)
      return tendered - this.due
    },
    changeText() {
      const change = this.change()
      return change >= 0 ? (change / 10 ** this.digits).toFixed(this.digits) : '—'
    },
    shortOfDue() {
      return this.tendered !== '' && this.change() < 0
    },
  }))

  // Counting a drawer note by note: the running total (data-digits)
  Alpine.data('drawerCount', () => ({
    total: 0,
    init() {
      this.sum()
    },
    sum() {
      let total = 0
      for (const input of this.$root.querySelectorAll('[data-value]')) total += (Number(input.value) || 0) * Number(input.dataset.value)
      this.total = total
    },
    totalText() {
      const digits = Number(this.$root.dataset.digits) || 0
      return (this.total / 10 ** digits).toFixed(digits)
    },
  }))
})
