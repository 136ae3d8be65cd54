import { test } from '@japa/runner'
import { discountNeedsManager, type DiscountedCart } from '#core/discount_share'

/*
| When a change of a cart's discounts needs a manager (app/core/discount_share.ts): the one rule of
| the till, the API and the offline cart. A limit of 20%; carts of fixed discounts (no rounding).
*/
const cart = (subtotal: number, discountTotal: number): DiscountedCart => ({ subtotal, discountTotal, percentDiscounts: 0 })
const LIMIT = 2000

test.group('Discount limit: when a change needs a manager', () => {
  test('within the limit, or lowering the discounts, never', ({ assert }) => {
    assert.isFalse(discountNeedsManager(cart(1000, 200), { shareBp: 0, amount: 0 }, LIMIT))
    assert.isFalse(discountNeedsManager(cart(1000, 0), { shareBp: 5000, amount: 500 }, LIMIT))
    // Over the limit (a store that lowered it), but less than before: left as it is
    assert.isFalse(discountNeedsManager(cart(1000, 400), { shareBp: 5000, amount: 500 }, LIMIT))
    assert.isTrue(discountNeedsManager(cart(1000, 300), { shareBp: 0, amount: 0 }, LIMIT))
  })

  test("past the limit, an approval covers what is within both its share and its amount", ({ assert }) => {
    const approved = { shareBp: 5000, amount: 100 }
    // 50% of a $2 cart approved: 50% of $502 is within the share, not the amount
    assert.isTrue(discountNeedsManager(cart(50_200, 25_100), { shareBp: 5000, amount: 100 }, LIMIT, approved))
    assert.isFalse(discountNeedsManager(cart(200, 100), { shareBp: 1000, amount: 20 }, LIMIT, approved))
    // Within the amount, past the share: needs one too
    assert.isTrue(discountNeedsManager(cart(150, 90), { shareBp: 5000, amount: 75 }, LIMIT, approved))
    // The same share as before, a cent more: past the limit, and past nothing approved
    assert.isTrue(discountNeedsManager(cart(300_000, 200_001), { shareBp: 6667, amount: 200_000 }, LIMIT))
  })
})
