import { test } from '@japa/runner'
// @ts-expect-error the offline till's browser code is JavaScript, bundled for the browser (docs/offline.md)
import { OfflineCart } from '../../../resources/js/offline/cart.js'

/*
| Cash covering the balance but not the balance rounded up to the smallest coin (9.69 or 9.68 of
| 9.68 where the coins are of 5: 9.70 is due in cash) is refused offline as the server refuses it
| (core cashShortOfRounding): the two tills took it differently, a part payment here and the whole
| balance with a cent back there.
*/

test.group('Offline till: cash rounded to the smallest coin', () => {
  test('9.69 and 9.68 of 9.68 are refused; less is a part payment; 9.70 in all completes the sale', async ({ assert }) => {
    const cart = new OfflineCart({ store: { id: 1, prices_include_tax: true, cash_rounding: 5, currency: 'USD' }, tax_rates: [{ tax_class: 'standard', rate_ppm: 0 }] })
    cart.add({ id: 1, name: 'Honey', sku: 'HONEY', price: 968, tax_class: 'standard' })
    await cart.price()
    assert.throws(() => cart.pay('cash', 969), 'In cash $9.70 is due (rounded to the smallest coin): take that, or less as a part payment')
    assert.throws(() => cart.pay('cash', 968), /In cash \$9\.70 is due/)
    assert.lengthOf(cart.payments, 0)
    assert.isFalse(cart.pay('cash', 900))
    // 0.68 left, 0.70 in cash: 0.68 and 0.69 are refused the same way
    assert.throws(() => cart.pay('cash', 68), /In cash \$0\.70 is due/)
    assert.isTrue(cart.pay('cash', 100))
    assert.equal(cart.changeDue, 30)
  })
})
