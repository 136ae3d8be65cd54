/*
 * The Alpine components of the pages. Alpine's CSP build (the page's Content-Security-Policy
 * has no 'unsafe-eval') evaluates only simple expressions in attributes, so the state and the
 * logic live here and the templates name them: x-data="payment", @click="choose('cash')".
 * Values from the server come in data-* attributes of the component's root.
 * Loaded before Alpine (both deferred, in order), so alpine:init finds Alpine.data.
 */
document.addEventListener('alpine:init', () => {
  const Alpine = window.Alpine

  /** Minor units as the server writes them ($9.20): the root's data-currency and data-digits */
  const moneyText = (root, minor) => {
    const digits = Number(root.dataset.digits) || 0
    const amount = minor / 10 ** digits
    return root.dataset.currency ? new Intl.NumberFormat('en-US', { style: 'currency', currency: root.dataset.currency }).format(amount) : amount.toFixed(digits)
  }
  /*
   * The app's core (app/core: parseMoney reads a typed amount by the rule the server reads it,
   * "20,00" in euros is 20.00), as the till's bundle exports it. The page imports that bundle after
   * its first paint (app.js); asking for the same address gives the same module, once. Only a
   * component that needs it asks (the till's payment), never another page.
   */
  let core = null
  let coreLoading = null
  const withCore = (use) => {
    if (core) return use(core)
    coreLoading ??= new Promise((resolve) => {
      let tries = 0
      const load = () =>
        // A retry asks a fresh address: a browser may keep a failed import's answer for its address
        import(`/js/build/offline-till.js${tries++ ? `?retry=${tries}` : ''}`).then(
          (module) => {
            // A bundle a service worker kept from before the preview read amounts has no TYPED_AMOUNT
            if (module.core?.TYPED_AMOUNT && module.core.parseMoney) resolve((core = module.core))
            else console.warn('The till’s core is too old to read amounts typed: reload the page once online')
          },
          // A server restarting, or still building the bundle: tried again, or the change due
          // stayed blank for the whole shift
          (error) => {
            console.warn('The till’s core did not load, trying again in 5 s:', error)
            setTimeout(load, 5000)
          }
        )
      if (document.readyState === 'complete') load()
      else window.addEventListener('load', load, { once: true })
    })
    coreLoading.then(use)
  }

  // A stocktake's sheet: when each count was typed (typed[p<id>], this page's clock) and when the
  // sheet was sent, so the server compares each count with the stock of when it was typed. A line's
  // mark is disabled (not sent) until its line is typed: a sheet of thousands of lines sends one
  // field a line, plus one a line typed
  Alpine.data('countSheet', () => ({
    typed(event) {
      const name = event.target.name || ''
      if (!name.startsWith('counted[')) return
      const mark = this.$root.querySelector(`input[name="typed[${name.slice(8, -1)}]"]`)
      if (!mark) return
      mark.value = String(Date.now())
      mark.disabled = false
    },
    sending() {
      this.$refs.sent.value = String(Date.now())
    },
  }))

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

  // Keys pressed on the page so far (counted before any handler acts on them): see the payment's choose()
  let keysPressed = 0
  document.addEventListener('keydown', () => keysPressed++, true)

  // Payment: choosing a method, the tendered amount and the change due (data-due, data-currency)
  Alpine.data('payment', () => ({
    method: null,
    tendered: '',
    due: 0,
    // The balance before cash rounding (data-balance); `due` is what cash pays, rounded to the smallest coin
    balance: 0,
    // Whether the core's parseMoney is here to read the amount tendered (until then no change shows)
    reading: false,
    // Another till holds this register (the page's banner, till/_register_held.edge): no payment
    // starts, and Pay says why. The server would refuse it anyway (409 register_leased), but only
    // once the tender is done: cash in hand, or a card already charged on the external machine
    // before its approval code is typed. A real POS stops the tender before any money moves, so
    // Pay (and F9, F6, F7) is off from the first scan; scanning, Park and Void stay (park the
    // sale, choose another register, resume it there). The offline till's lease renewal, finding
    // the register free, sends `register-free` (resources/js/offline/till.js)
    held: false,
    init() {
      this.due = Number(this.$root.dataset.due) || 0
      this.balance = Number(this.$root.dataset.balance ?? this.$root.dataset.due) || 0
      this.held = Boolean(document.getElementById('register-held'))
      withCore(() => {
        this.reading = true
      })
    },
    free() {
      this.held = false
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
    // The keyboard carries on in the chosen method's form (its first field: the amount): after F7 or
    // F6 the focus stayed in the form just hidden, the page's body had it and Enter did nothing.
    // x-show shows the form at the next animation frame (a timeout while the page is hidden), and
    // $nextTick comes before it whenever that frame is late (a busy till): the field, still hidden,
    // did not take the focus, and the amount typed after F9 went into the scan field. The focus is
    // given in a callback queued the same way, after Alpine's (queued when the change took effect).
    // Unless the cashier has since put it in a field outside the payment with a key (F2, and a scan
    // typed there): on a busy till that frame came half a second late, the focus was taken from the
    // scan field in the middle of a code, and the code was cut in two (its end scanned alone, not found)
    choose(id) {
      if (this.held) return
      this.method = id
      const keys = keysPressed
      this.$nextTick(() => {
        const afterShown = document.visibilityState === 'visible' ? requestAnimationFrame : setTimeout
        afterShown(() => {
          const now = document.activeElement
          if (keysPressed !== keys && now && now !== document.body && !this.$root.contains(now)) return
          this.$root.querySelector(`form[data-method="${CSS.escape(id)}"] input:not([type="hidden"])`)?.focus()
        })
      })
    },
    startCash() {
      this.choose('cash')
    },
    back() {
      this.method = null
    },
    setTendered(amount) {
      this.tendered = amount
    },
    /**
     * The change in minor units; null while the amount typed is none the server takes (-5, abc,
     * 1,2,3): its shape and parseMoney, the server's own, in the store's currency
     */
    change() {
      if (!this.reading) return null
      const typed = String(this.tendered).trim()
      if (typed === '') return -this.due
      const given = core.TYPED_AMOUNT.test(typed) ? core.parseMoney(typed, this.$root.dataset.currency) : null
      return given === null ? null : given - this.due
    },
    /** Cash that covers the balance but not the cash due (9.69 of 9.68, 9.70 due): refused, not a part payment (core cashShortOfRounding) */
    shortOfRounding() {
      const change = this.change()
      return this.tendered !== '' && change !== null && change < 0 && change + this.due >= this.balance
    },
    changeText() {
      const change = this.change()
      return change !== null && change >= 0 ? moneyText(this.$root, change) : '—'
    },
    shortOfDue() {
      const change = this.change()
      return this.tendered !== '' && change !== null && change < 0 && !this.shortOfRounding()
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
      // Counts the server takes (whole numbers, none below zero); a -1 typed adds nothing
      for (const input of this.$root.querySelectorAll('[data-value]')) {
        const count = Number(input.value)
        if (Number.isInteger(count) && count > 0) total += count * Number(input.dataset.value)
      }
      this.total = total
    },
    totalText() {
      return moneyText(this.$root, this.total)
    },
  }))
})
