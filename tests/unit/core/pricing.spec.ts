import { test } from '@japa/runner'
import { balanceDue, cashAmountDue, discountAmount, priceCart, type PricedLineInput } from '#core/pricing'
import { computeTaxes } from '#core/tax_math'
import type { BaseTaxContext, TaxableLine } from '#core/tax'

/** A calculator of one rate for every line, rounded per line, as the flat-rate one does */
const flat = (ratePpm: number, pricesIncludeTax?: boolean) => ({
  pricesIncludeTax,
  calculate: (lines: TaxableLine[], context: BaseTaxContext) => ({
    lines: computeTaxes(
      lines.map((line) => ({ key: line.key, amount: line.amount, components: [{ code: 'VAT', name: 'VAT', ratePpm }] })),
      { inclusive: context.pricesIncludeTax, rounding: 'half_up_per_line' }
    ),
  }),
})

const line = (key: number, quantity: number, unitPrice: number, discount: Partial<PricedLineInput> = {}): PricedLineInput => ({
  key,
  quantity,
  unitPrice,
  taxClass: 'standard',
  discountType: null,
  discountValue: 0,
  ...discount,
})

test.group('Pricing', () => {
  test('discounts: percent in basis points, amounts capped at the base', ({ assert }) => {
    assert.equal(discountAmount(1999, 'percent', 1000), 200)
    assert.equal(discountAmount(1000, 'percent', 1250), 125)
    assert.equal(discountAmount(500, 'amount', 800), 500)
    assert.equal(discountAmount(500, null, 800), 0)
    assert.equal(discountAmount(1000, 'percent', 20_000), 1000)
  })

  test('line discounts first, then the cart discount shared in proportion, then tax per line', async ({ assert }) => {
    const priced = await priceCart(
      [line(1, 2, 1000, { discountType: 'percent', discountValue: 1000 }), line(2, 1, 999), line(3, 3, 333)],
      { type: 'amount', value: 100 },
      flat(200_000),
      { storeId: 1, pricesIncludeTax: false }
    )
    assert.deepEqual(priced.lines.map((l) => l.lineDiscount), [200, 0, 0])
    // After line discounts 1800, 999, 999: 100 shared by largest remainder
    assert.deepEqual(priced.lines.map((l) => l.cartDiscountShare), [48, 26, 26])
    assert.deepEqual(priced.lines.map((l) => l.taxTotal), [350, 195, 195])
    assert.equal(priced.subtotal, 2000 + 999 + 999)
    assert.equal(priced.discountTotal, 300)
    assert.equal(priced.taxTotal, 740)
    assert.equal(priced.total, 3998 - 300 + 740)
    assert.equal(priced.total, priced.lines.reduce((a, l) => a + l.total, 0))
    assert.deepEqual(priced.taxesByRate, [{ code: 'VAT', name: 'VAT', ratePpm: 200_000, amount: 740 }])
  })

  test('prices that include tax: the total is the net, the tax is inside it', async ({ assert }) => {
    const priced = await priceCart([line(1, 1, 1200)], { type: null, value: 0 }, flat(200_000), { storeId: 1, pricesIncludeTax: true })
    assert.equal(priced.total, 1200)
    assert.equal(priced.taxTotal, 200)
  })

  test("a region that fixes how prices are written overrides the store's setting", async ({ assert }) => {
    const priced = await priceCart([line(1, 1, 1200)], { type: null, value: 0 }, flat(200_000, true), { storeId: 1, pricesIncludeTax: false })
    assert.equal(priced.total, 1200)
  })

  test('cash due is rounded to the smallest coin', ({ assert }) => {
    assert.equal(cashAmountDue(1232, 5), 1230)
    assert.equal(cashAmountDue(1233, 5), 1235)
    assert.equal(cashAmountDue(1233, 1), 1233)
  })

  test('the balance due counts payments and cash rounding, and is never below zero', ({ assert }) => {
    assert.equal(balanceDue({ total: 1233, roundingTotal: 0, paidTotal: 1000 }), 233)
    assert.equal(balanceDue({ total: 1233, roundingTotal: 2, paidTotal: 1000 }), 235)
    assert.equal(balanceDue({ total: 1233, roundingTotal: -3, paidTotal: 1230 }), 0)
    assert.equal(balanceDue({ total: 1233, roundingTotal: 0, paidTotal: 2000 }), 0)
  })
})
