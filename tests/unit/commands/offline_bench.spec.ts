import { test } from '@japa/runner'
import { buildOfflineSales, productOfRow } from '../../../commands/_offline_bench.js'
import { median } from '../../../commands/_bench_measure.js'
import { checkOfflineSale } from '#sales/offline_sale_check'

/*
| pos:bench-offline syncs sales it builds itself: they must be what the server accepts (the
| server's own check of an offline sale) and continue the register's head, or the bench would time
| refusals.
*/
const FIELDS = ['id', 'name', 'sku', 'price', 'tax_class', 'category_id', 'active', 'barcodes']
const rows = [
  [1, 'Acme Coffee 1 kg', 'B-1', 1299, 'standard', null, true, ['2900000000015']],
  [2, 'Acme Tea 100 g', 'B-2', 349, 'reduced', null, true, []],
  [3, 'Gift card', 'B-3', 2000, 'zero', null, true, []],
  [4, 'Archived', 'B-4', 999, 'standard', null, false, []],
]

for (const store of [
  { pricesIncludeTax: false, cashRounding: 1 },
  { pricesIncludeTax: true, cashRounding: 5 },
]) {
  test(`the bench's offline sales pass the server's check and continue the head (prices with tax: ${store.pricesIncludeTax}, cash rounding ${store.cashRounding})`, async ({ assert }) => {
    const settings = {
      store: { id: 7, prices_include_tax: store.pricesIncludeTax, cash_rounding: store.cashRounding },
      tax_rates: [
        { tax_class: 'standard', rate_ppm: 88750 },
        { tax_class: 'reduced', rate_ppm: 20000 },
        { tax_class: 'zero', rate_ppm: 0 },
      ],
      user: { id: 3 },
    }
    const products = rows.map((row) => productOfRow(FIELDS, row))
    const head = { last_number: 41, last_hash: 'a'.repeat(64) }
    const sales = await buildOfflineSales(60, products, settings, { deviceId: '0ff11e00-bec4-4000-8000-000000000017', registerId: 5 }, head)
    assert.deepEqual(sales.map((s) => s.number), Array.from({ length: 60 }, (_, i) => 42 + i))
    assert.equal(sales[0].previous_hash, head.last_hash)
    for (let i = 1; i < sales.length; i++) assert.equal(sales[i].previous_hash, sales[i - 1].hash)
    assert.isTrue(sales.every((s) => s.items.every((item) => item.product_id !== 4)), 'an archived product is not sold')
    assert.includeMembers([...new Set(sales.map((s) => s.payments[0].method))], ['cash', 'card_external'])
    for (const sale of sales) {
      const { problem } = await checkOfflineSale(sale as any, { id: 7, ...store })
      assert.isNull(problem, `sale ${sale.number}: ${problem}`)
    }
  })
}

test('median of odd and even counts', ({ assert }) => {
  assert.equal(median([5, 1, 3]), 3)
  assert.equal(median([4, 1, 3, 2]), 2.5)
  assert.isNaN(median([]))
})
