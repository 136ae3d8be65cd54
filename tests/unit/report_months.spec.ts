import { test } from '@japa/runner'
import { wholeMonths } from '#reports/product_figures'

test.group('Report periods: whole months and the days around them', () => {
  test('a year from mid-month reads eleven whole months and two runs of days', ({ assert }) => {
    assert.deepEqual(wholeMonths('2025-12-05', '2026-12-04'), {
      months: { from: '2026-01', to: '2026-11' },
      days: [
        { from: '2025-12-05', to: '2025-12-31' },
        { from: '2026-12-01', to: '2026-12-04' },
      ],
    })
  })

  test('whole months only, within a month, and across a month end with no whole month', ({ assert }) => {
    assert.deepEqual(wholeMonths('2026-02-01', '2026-03-31'), { months: { from: '2026-02', to: '2026-03' }, days: [] })
    assert.deepEqual(wholeMonths('2026-02-01', '2026-02-28'), { months: { from: '2026-02', to: '2026-02' }, days: [] })
    assert.deepEqual(wholeMonths('2024-02-01', '2024-02-28'), { months: null, days: [{ from: '2024-02-01', to: '2024-02-28' }] })
    assert.deepEqual(wholeMonths('2026-03-10', '2026-03-20'), { months: null, days: [{ from: '2026-03-10', to: '2026-03-20' }] })
    assert.deepEqual(wholeMonths('2026-03-10', '2026-04-20'), { months: null, days: [{ from: '2026-03-10', to: '2026-04-20' }] })
  })
})
