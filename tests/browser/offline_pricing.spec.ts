import { test } from '@japa/runner'
import { priceCart } from '#core/pricing'
import { flatRateTax } from '#sales/flat_rate_tax'
import { checkOfflineSale } from '#sales/offline_sale_check'
import { createStore } from '#tests/fixtures'

/*
| One pricing code: thousands of random carts priced in a real Chromium by the offline till's
| bundle (served by the server, built from app/core) and in Node by the server's own calculator
| (the flat rates from the database): every cent of every line must agree, and each cart, paid
| and sealed in the browser as an offline sale, must pass the server's check of offline sales.
*/

const CLASSES = ['standard', 'reduced', 'zero', 'unknown']

function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function randomCarts(count: number, seed: number, rates: Map<string, number>) {
  const rnd = random(seed)
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1))
  return Array.from({ length: count }, () => {
    const items = Array.from({ length: int(1, 8) }, (_, i) => {
      const price = rnd() < 0.2 ? int(1, 99) : rnd() < 0.9 ? int(100, 20_000) : int(20_000, 5_000_000)
      const quantity = rnd() < 0.7 ? int(1, 3) : int(4, 400)
      const discount = rnd()
      const taxClass = CLASSES[int(0, CLASSES.length - 1)]
      return {
        product_id: i + 1,
        name: `P${i}`,
        sku: `S${i}`,
        quantity,
        list_price: price,
        unit_price: price,
        tax_class: taxClass,
        tax_rate_ppm: rates.get(taxClass) ?? 0,
        discount_type: discount < 0.6 ? null : discount < 0.8 ? ('percent' as const) : ('amount' as const),
        // Now and then an amount larger than the line: both sides must refuse it alike
        discount_value: discount < 0.6 ? 0 : discount < 0.8 ? int(1, 10_000) : int(1, Math.ceil(price * quantity * 1.02)),
      }
    })
    const cart = rnd()
    return {
      items,
      cartDiscount: cart < 0.6 ? { type: null, value: 0 } : cart < 0.8 ? { type: 'percent' as const, value: int(1, 10_000) } : { type: 'amount' as const, value: int(1, 50_000) },
      payment: int(0, 2),
      extra: int(0, 5000),
    }
  })
}

test.group('Offline pricing: the browser bundle and the server agree', () => {
  for (const [pricesIncludeTax, cashRounding, taxPpm] of [
    [false, 1, 80_000],
    [true, 5, 190_000],
    [false, 10, 77_000],
  ] as const) {
    test(`1,000 random carts, prices ${pricesIncludeTax ? 'with' : 'without'} tax, cash rounding ${cashRounding}`, async ({ visit, assert }) => {
      const fixture = await createStore({ pricesIncludeTax, cashRounding, taxPpm })
      const store = { id: fixture.store.id, pricesIncludeTax, cashRounding }
      const rates = new Map([...(await flatRateTax.ratesFor(store.id))].map(([k, v]) => [k, v.ratePpm]))
      const carts = randomCarts(1000, taxPpm + cashRounding, rates)
      const page = await visit('/login')

      const results = await page.evaluate(
        async ({ carts, store, registerId, userId }) => {
          const { core } = await import('/js/build/offline-till.js' as string)
          const out = []
          let head = { last_number: 0, last_hash: null as string | null }
          for (const [n, cart] of carts.entries()) {
            let priced
            try {
              priced = await core.priceOfflineCart(cart.items, cart.cartDiscount, store)
            } catch (error: any) {
              out.push({ refused: error.code })
              continue
            }
            const payments = []
            if ((cart.payment === 1 && priced.total > 0) || (cart.payment === 2 && priced.total > 1)) {
              const card = cart.payment === 1 ? priced.total : Math.floor(priced.total / 2)
              payments.push({ method: 'card_external', amount: card, tendered: null, reference: `A${n}` })
            }
            const cashDue = core.offlineAmountDue(priced.total, payments, 'cash', store.cashRounding)
            if (cashDue > 0) payments.push({ method: 'cash', amount: cashDue, tendered: cashDue + cart.extra, reference: null })
            // Less than half the smallest coin left after a card: cash cannot take it, the card does
            else if (core.offlineAmountDue(priced.total, payments, 'card_external', 1) > 0) payments.push({ method: 'card_external', amount: core.offlineAmountDue(priced.total, payments, 'card_external', 1), tendered: null, reference: `B${n}` })
            // A sale of nothing to pay is settled by one cash payment of nothing, as the offline till does
            if (priced.total === 0) payments.push({ method: 'cash', amount: 0, tendered: 0, reference: null })
            const draft = { client_uuid: crypto.randomUUID(), device_id: crypto.randomUUID(), register_id: registerId, user_id: userId, completed_at: '2026-12-04T12:00:00.000Z', cart_discount_type: cart.cartDiscount.type, cart_discount_value: cart.cartDiscount.value, items: cart.items, payments }
            const sale = core.sealOfflineSale(draft, priced, head, store.id)
            head = { last_number: sale.number, last_hash: sale.hash }
            out.push({ priced, sale })
          }
          return out
        },
        { carts, store, registerId: fixture.register.id, userId: fixture.users.cashier.id }
      )

      let compared = 0
      let refusals = 0
      let checked = 0
      for (const [n, cart] of carts.entries()) {
        const browser = results[n]
        let server
        try {
          server = await priceCart(
            cart.items.map((item, key) => ({ key, quantity: item.quantity, unitPrice: item.unit_price, taxClass: item.tax_class, discountType: item.discount_type, discountValue: item.discount_value })),
            cart.cartDiscount,
            flatRateTax,
            { storeId: store.id, pricesIncludeTax }
          )
        } catch (error: any) {
          assert.equal(browser.refused, error.code, `cart ${n}: refused on the server only`)
          refusals++
          continue
        }
        assert.isUndefined(browser.refused, `cart ${n}: refused in the browser only`)
        const { priced, sale } = browser
        for (const field of ['subtotal', 'discountTotal', 'taxTotal', 'total'] as const) assert.equal(priced[field], server[field], `cart ${n}: ${field}`)
        priced.lines.forEach((line: any, i: number) => {
          for (const field of ['subtotal', 'lineDiscount', 'cartDiscountShare', 'taxTotal', 'taxRatePpm', 'total'] as const) assert.equal(line[field], (server.lines[i] as any)[field], `cart ${n} line ${i}: ${field}`)
        })
        compared++
        const { problem } = await checkOfflineSale(sale, store)
        assert.isNull(problem, `cart ${n}: the server's check says ${problem}`)
        checked++
      }
      assert.isAbove(compared, 900)
      // Every cart the server prices is a sale its check takes, a cart of nothing to pay too
      assert.equal(checked, compared)
      assert.isAbove(refusals, 0)
    }).timeout(120_000)
  }

  test("the offline cart holds a cashier's discounts to the store's limit, line and cart together; a manager's are not held", async ({ visit, assert }) => {
    const fixture = await createStore({ taxPpm: 0 })
    const page = await visit('/login')
    const outcome = await page.evaluate(async ({ storeId }) => {
      const { OfflineCart } = await import('/js/build/offline-till.js' as string)
      const settings = (role: string) => ({ store: { id: storeId, currency: 'USD', prices_include_tax: false, cash_rounding: 1, discount_limit: 2000 }, tax_rates: [], user: { id: 1, role } })
      const product = { id: 1, name: 'Tea', sku: 'T', price: 1000, tax_class: 'zero' }
      const tried = async (work: () => Promise<void>) => work().then(() => 'taken', (error: Error) => error.message)
      const cashier = new OfflineCart(settings('cashier'))
      // Set before the first scan, a cart discount counts at its percent
      const empty = [await tried(() => cashier.setCartDiscount('percent', 5000)), await tried(() => cashier.setCartDiscount('percent', 0))]
      cashier.add(product, 2)
      const steps = [...empty,
        await tried(() => cashier.setLineDiscount(0, 'percent', 1500)),
        await tried(() => cashier.setCartDiscount('percent', 1000)),
        await tried(() => cashier.setCartDiscount('percent', 500)),
      ]
      const cashierCart = { lines: cashier.items.map((i: any) => [i.discount_type, i.discount_value]), cart: cashier.cartDiscount, discountTotal: (await cashier.price()).discountTotal }
      // Exactly 20% of 12.34 (2.47, 20.016%) is within the limit; a fixed discount then left on
      // fewer units is refused at payment
      const odd = new OfflineCart(settings('cashier'))
      odd.add({ ...product, price: 1234 }, 1)
      await odd.price()
      const exact = await tried(() => odd.setLineDiscount(0, 'percent', 2000))
      const fixed = new OfflineCart(settings('cashier'))
      fixed.add(product, 10)
      await fixed.price()
      const tenth = await tried(() => fixed.setLineDiscount(0, 'amount', 2000))
      fixed.setQuantity(0, 2)
      await fixed.price()
      const paid = await tried(async () => void fixed.pay('cash', 100_000))
      // Over the limit already (a quantity lowered), a discount raised by a cent is refused, though
      // its share, rounded up to the basis point, stays as it was: the server's rule (core discountNeedsManager)
      const over = new OfflineCart(settings('cashier'))
      over.add({ ...product, price: 10_000 }, 100)
      await over.price()
      await over.setLineDiscount(0, 'amount', 200_000)
      over.setQuantity(0, 30)
      await over.price()
      const cent = await tried(() => over.setLineDiscount(0, 'amount', 200_001))
      const lower = await tried(() => over.setLineDiscount(0, 'amount', 150_000))
      // More goods scanned under a cashier's discount at the limit: its share stays, no manager is
      // needed (offline a cashier's discounts never pass the limit, so a scan is never refused for it)
      const atLimit = new OfflineCart(settings('cashier'))
      atLimit.add(product, 1)
      await atLimit.price()
      const scanned = [await tried(() => atLimit.setCartDiscount('percent', 2000))]
      atLimit.add(product, 5)
      atLimit.add({ ...product, id: 2, price: 1234 }, 1)
      scanned.push((await atLimit.price()).discountTotal, await tried(async () => void atLimit.pay('cash', 100_000)))
      const manager = new OfflineCart(settings('manager'))
      manager.add(product, 1)
      const managerStep = await tried(() => manager.setLineDiscount(0, 'percent', 10_000))
      return { steps, cashierCart, managerStep, managerTotal: (await manager.price()).total, exact, tenth, paid, cent, lower, scanned }
    }, { storeId: fixture.store.id })
    // 15% off the line, then 10% off the cart would be 23.5%: refused and taken back; 5% is 19.25%
    // The refusal says why (no PIN can be checked offline) and what to do instead
    const refusal = (share: string) => `A discount of more than 20% of the sale needs a manager's PIN, which cannot be checked offline: this one comes to ${share}. Give at most 20% (offline, only a manager signed in to this till gives more)`
    assert.deepEqual(outcome.steps, [refusal('50%'), 'taken', 'taken', refusal('23.5%'), 'taken'])
    assert.deepEqual(outcome.cashierCart, { lines: [['percent', 1500]], cart: { type: 'percent', value: 500 }, discountTotal: 300 + 85 })
    assert.equal(outcome.exact, 'taken')
    assert.equal(outcome.tenth, 'taken')
    assert.equal(outcome.paid, "The discounts come to 100% of the sale, past the store's limit of 20%, and no manager's PIN can be checked offline: lower a discount, or put back the quantity it was given on, before taking payment")
    assert.equal(outcome.cent, refusal('66.67%'))
    assert.equal(outcome.lower, 'taken')
    assert.deepEqual(outcome.scanned, ['taken', 200 + 1000 + 247, 'taken'])
    assert.equal(outcome.managerStep, 'taken')
    assert.equal(outcome.managerTotal, 0)
  })
})
