import { test } from '@japa/runner'
import { lineAmounts, newCartLine, pricingInputs, quantityInCart } from '#core/cart_lines'
import { priceCart } from '#core/pricing'

const fields = { saleId: 1, name: 'Tea', sku: 'TEA', taxClass: 'standard' }

test.group('Cart lines', () => {
  test('a new line starts at its list price with no amounts yet', ({ assert }) => {
    const line = newCartLine({ ...fields, productId: 5, quantity: 2, unitPrice: 450, position: 0 })
    assert.equal(line.id, 0)
    assert.equal(line.listPrice, 450)
    assert.equal(line.total, 0)
    assert.isNull(line.discountType)
  })

  test('counts a product over all its lines', ({ assert }) => {
    const lines = [
      newCartLine({ ...fields, productId: 5, quantity: 2, unitPrice: 450, position: 0 }),
      newCartLine({ ...fields, productId: 6, quantity: 1, unitPrice: 100, position: 1 }),
      newCartLine({ ...fields, productId: 5, quantity: 3, unitPrice: 400, position: 2 }),
    ]
    assert.equal(quantityInCart(lines, 5), 5)
    assert.equal(quantityInCart(lines, 7), 0)
  })

  test('pricing inputs and amounts round-trip in the order of the lines', async ({ assert }) => {
    const lines = [
      { ...newCartLine({ ...fields, productId: 5, quantity: 2, unitPrice: 450, position: 0 }), discountType: 'amount' as const, discountValue: 100 },
      newCartLine({ ...fields, productId: 6, quantity: 1, unitPrice: 100, position: 1 }),
    ]
    const inputs = pricingInputs(lines)
    assert.deepEqual(inputs.map((i) => i.key), [0, 1])
    const noTax = { calculate: () => ({ lines: new Map() }) }
    const priced = await priceCart(inputs, { type: null, value: 0 }, noTax, { storeId: 1, pricesIncludeTax: false })
    const amounts = lineAmounts(priced)
    assert.deepEqual(amounts.map((a) => [a.subtotal, a.lineDiscount, a.total]), [[900, 100, 800], [100, 0, 100]])
  })
})
