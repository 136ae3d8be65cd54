import { DateTime } from 'luxon'
import Papa from 'papaparse'
import CheckoutService from '#sales/checkout_service'
import CartService from '#sales/cart_service'
import PaymentService from '#sales/payment_service'
import Sale from '#models/sale'
import { rollUpDays } from '#reports/day_rollup'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'

/*
| A seeded week of a store, sold through the checkout so every amount is the real one:
| percent, amount and cart discounts, two tax rates (standard 8%, reduced 2%), cash with
| rounding to 0.05, card, a split tender. Each day's sales are moved to that store day.
*/
export interface SeededWeek {
  fixture: TestStore
  from: string
  to: string
  saleIds: number[]
}

export async function seedWeek(options: { formulaName?: string; pricesIncludeTax?: boolean } = {}): Promise<SeededWeek> {
  const fixture = await createStore({ cashRounding: 5, pricesIncludeTax: options.pricesIncludeTax ?? false })
  const checkout = new CheckoutService()
  const cart = new CartService()
  const payments = new PaymentService()
  const coffee = await createProduct(fixture, { name: options.formulaName ?? 'Coffee beans', price: 1299, taxClass: 'standard', stock: 1000 })
  const bread = await createProduct(fixture, { name: 'Bread', price: 349, taxClass: 'reduced', stock: 1000 })
  const stamps = await createProduct(fixture, { name: 'Stamps', price: 110, taxClass: 'zero', stock: 1000 })
  const actor = { user: fixture.users.cashier, store: fixture.store }
  const zone = fixture.store.timeZone
  const today = DateTime.now().setZone(zone).startOf('day')
  const saleIds: number[] = []

  for (let back = 7; back >= 1; back--) {
    const day = today.minus({ days: back })
    const made: number[] = []
    // cash, a percent discount on one line, rounded to 0.05
    made.push(
      (
        await checkout.createSale(actor, fixture.register.id, {
          lines: [
            { productId: coffee.id, quantity: 1 + (back % 3), discountType: 'percent', discountValue: 1000 },
            { productId: bread.id, quantity: back },
          ],
          payment: { method: 'cash', tendered: 10_000 },
        })
      ).sale.id
    )
    // card, an amount off
    made.push(
      (
        await checkout.createSale(actor, fixture.register.id, {
          lines: [
            { productId: bread.id, quantity: 3, discountType: 'amount', discountValue: 50 },
            { productId: stamps.id, quantity: 5 },
          ],
          payment: { method: 'card_external', reference: `A${back}` },
        })
      ).sale.id
    )
    // the till: a cart discount, then card and cash (the cash part rounded)
    const open = await cart.currentCart(actor, fixture.register.id)
    await cart.addProduct(actor, open.id, coffee.id, 2)
    await cart.addProduct(actor, open.id, bread.id, 1)
    await cart.setCartDiscount(actor, open.id, 'percent', 500)
    await payments.addPayment(actor, open.id, { method: 'card_external', amount: 1000 + back })
    const done = await payments.addPayment(actor, open.id, { method: 'cash', tendered: 10_000 })
    if (!done.completed) throw new Error('the till sale did not complete')
    made.push(open.id)

    for (const [i, id] of made.entries()) {
      await Sale.query().where('id', id).update({ completed_at: day.set({ hour: 9 + i * 4, minute: back }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss') })
    }
    saleIds.push(...made)
  }
  // The sales were moved behind the checkout's back, to days not rolled up yet: rolled up now, as a server would
  await rollUpDays(fixture.store)
  return {
    fixture,
    from: today.minus({ days: 7 }).toISODate()!,
    to: today.minus({ days: 1 }).toISODate()!,
    saleIds,
  }
}

/** Parses a CSV answer into rows (header first) */
export function csvRows(text: string): string[][] {
  const parsed = Papa.parse<string[]>(text.trimEnd(), { skipEmptyLines: false })
  return parsed.data
}

/** "12.34" -> 1234, exactly (no float) */
export function minor(text: string): number {
  if (text === '') return 0
  const negative = text.startsWith('-')
  const [whole, fraction = ''] = text.replace('-', '').split('.')
  const value = Number(whole) * 100 + Number(fraction.padEnd(2, '0'))
  return negative ? -value : value
}
