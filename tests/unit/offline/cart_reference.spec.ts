import { test } from '@japa/runner'
// @ts-expect-error the offline till's browser code is JavaScript, bundled for the browser (docs/offline.md)
import { OfflineCart } from '../../../resources/js/offline/cart.js'

/*
| The offline till's approval code is checked as it is typed, as the server would keep it
| (app/sales/offline_sale_check.ts, cleanReference): a control character (a scanner's ESC or GS)
| or over 120 characters is refused with a message, and the payment is not taken.
*/

async function cartOf(price: number) {
  const cart = new OfflineCart({ store: { id: 1, prices_include_tax: true, cash_rounding: 1 }, tax_rates: [{ tax_class: 'standard', rate_ppm: 0 }] })
  cart.add({ id: 1, name: 'Tea', sku: 'TEA', price, tax_class: 'standard' })
  await cart.price()
  return cart
}

test.group('Offline till: the approval code as it is typed', () => {
  test('control characters and over 120 characters are refused; a plain code is taken', async ({ assert }) => {
    const cart = await cartOf(450)
    assert.throws(() => cart.pay('card_external', 450, { reference: 'AB\u001b@C' }), /type it again/)
    assert.throws(() => cart.pay('card_external', 450, { reference: 'X'.repeat(121) }), /at most 120/)
    assert.lengthOf(cart.payments, 0)
    assert.isTrue(cart.pay('card_external', 450, { reference: 'AUTH-123' }))
    assert.deepEqual(cart.payments, [{ method: 'card_external', amount: 450, tendered: null, reference: 'AUTH-123' }])
  })
})
