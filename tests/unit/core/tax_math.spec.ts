import { test } from '@japa/runner'
import { computeTaxes, type TaxComponent } from '#core/tax_math'

const amounts = (result: Map<string | number, { code: string; amount: number }[]>, key: string | number) =>
  Object.fromEntries((result.get(key) ?? []).map((t) => [t.code, t.amount]))

const US: TaxComponent[] = [
  { code: 'state', name: 'State', ratePpm: 62_500 },
  { code: 'county', name: 'County', ratePpm: 10_000 },
  { code: 'city', name: 'City', ratePpm: 5_000 },
]
const GST_QST: TaxComponent[] = [
  { code: 'gst', name: 'GST', ratePpm: 50_000 },
  { code: 'qst', name: 'QST', ratePpm: 99_750, compound: true },
]

test.group('Tax math at the cent', () => {
  test('exclusive prices: state, county and city taxes on one line, each rounded half-up', ({ assert }) => {
    const result = computeTaxes([{ key: 1, amount: 1999, components: US }], { inclusive: false, rounding: 'half_up_per_line' })
    // 124.9375 -> 125, 19.99 -> 20, 9.995 -> 10
    assert.deepEqual(amounts(result, 1), { state: 125, county: 20, city: 10 })
  })

  test('a compound tax is charged on the amount plus the taxes before it', ({ assert }) => {
    const exclusive = computeTaxes([{ key: 'a', amount: 1000, components: GST_QST }], { inclusive: false, rounding: 'half_up_per_line' })
    // GST 50; QST on 1050 = 104.7375 -> 105
    assert.deepEqual(amounts(exclusive, 'a'), { gst: 50, qst: 105 })
    assert.isTrue(exclusive.get('a')![1].compound)

    const inclusive = computeTaxes([{ key: 'a', amount: 2000, components: GST_QST }], { inclusive: true, rounding: 'half_up_per_line' })
    // net = 2000 / (1.05 * 1.09975) = 1731.99...; GST 86.5998 -> 87, QST 181.4049 -> 181
    assert.deepEqual(amounts(inclusive, 'a'), { gst: 87, qst: 181 })
  })

  test('inclusive prices with several rates: the tax is taken out of the price', ({ assert }) => {
    const vat = (rate: number): TaxComponent[] => [{ code: `vat${rate}`, name: 'VAT', ratePpm: rate }]
    const result = computeTaxes(
      [
        { key: 1, amount: 1190, components: vat(190_000) },
        { key: 2, amount: 107, components: vat(70_000) },
        { key: 3, amount: 1000, components: vat(190_000) },
        { key: 4, amount: 500, components: vat(0) },
      ],
      { inclusive: true, rounding: 'half_up_per_line' }
    )
    assert.deepEqual(amounts(result, 1), { vat190000: 190 })
    assert.deepEqual(amounts(result, 2), { vat70000: 7 })
    // 1000 - 1000/1.19 = 159.66 -> 160
    assert.deepEqual(amounts(result, 3), { vat190000: 160 })
    assert.deepEqual(result.get(4), [])
  })

  test('per line and per document rounding differ, and per document lines add up to the rounded total', ({ assert }) => {
    const tenPercent: TaxComponent[] = [{ code: 'tax', name: 'Tax', ratePpm: 100_000 }]
    const lines = [1, 2, 3].map((key) => ({ key, amount: 5, components: tenPercent }))
    const perLine = computeTaxes(lines, { inclusive: false, rounding: 'half_up_per_line' })
    const perDocument = computeTaxes(lines, { inclusive: false, rounding: 'half_up_per_document' })
    const sum = (r: typeof perLine) => [1, 2, 3].reduce((s, k) => s + r.get(k)![0].amount, 0)
    // Each line 0.5 -> 1 (total 3); the document 1.5 -> 2, shared by largest remainder (ties: earlier line)
    assert.equal(sum(perLine), 3)
    assert.equal(sum(perDocument), 2)
    assert.deepEqual([1, 2, 3].map((k) => perDocument.get(k)![0].amount), [1, 1, 0])

    const vat: TaxComponent[] = [{ code: 'vat', name: 'VAT', ratePpm: 190_000 }]
    const gross = [1, 2, 3].map((key) => ({ key, amount: 10, components: vat }))
    // Each 10 - 10/1.19 = 1.597 -> 2 per line (6); per document 4.79 -> 5
    assert.equal(sum(computeTaxes(gross, { inclusive: true, rounding: 'half_up_per_line' })), 6)
    assert.equal(sum(computeTaxes(gross, { inclusive: true, rounding: 'half_up_per_document' })), 5)
  })

  test('an exact half rounds up', ({ assert }) => {
    const result = computeTaxes([{ key: 1, amount: 10, components: [{ code: 't', name: 'T', ratePpm: 50_000 }] }], { inclusive: false, rounding: 'half_up_per_line' })
    assert.equal(result.get(1)![0].amount, 1)
  })
})
