import { test } from '@japa/runner'
import { barChart, compactAmount, niceTicks } from '#reports/chart_svg'

const money = (minor: number) => `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`
const axis = { format: (minor: number) => money(minor).replace(/\.00$/, ''), formatShort: (minor: number) => compactAmount(minor, 2) }

test.group('Report charts (chart_svg)', () => {
  test('value axis ticks are round steps from zero up to at least the largest value', ({ assert }) => {
    assert.deepEqual(niceTicks(123456), [0, 50000, 100000, 150000])
    assert.deepEqual(niceTicks(800), [0, 200, 400, 600, 800])
    assert.deepEqual(niceTicks(0), [0])
  })

  test('compact amounts for narrow bars', ({ assert }) => {
    assert.equal(compactAmount(95000, 2), '950')
    assert.equal(compactAmount(123456, 2), '1.2k')
    assert.equal(compactAmount(3500000, 2), '35k')
    assert.equal(compactAmount(140000000, 2), '1.4M')
    assert.equal(compactAmount(1500, 0), '1.5k')
  })

  test('a chart labels its axis in money, puts each value on its bar and a tooltip on each bar', ({ assert }) => {
    const svg = barChart(
      [
        { label: '09', value: 62700, text: '$627.00 in 12 sales' },
        { label: '10', value: 150000, text: '$1,500.00 in 30 sales' },
        { label: '<b>', value: 0, text: 'none & nothing' },
      ],
      { title: 'Sales by hour', ...axis }
    )
    for (const tick of ['$0', '$500', '$1,000', '$1,500']) assert.include(svg, `>${tick}</text>`)
    assert.include(svg, '>627</text>')
    assert.include(svg, '>1.5k</text>')
    assert.include(svg, '<title>09: $627.00 in 12 sales</title>')
    assert.include(svg, '<title>&lt;b&gt;: none &amp; nothing</title>')
    assert.equal(svg.match(/<rect /g)!.length, 3)
    // The pages' CSP allows no inline style
    assert.notInclude(svg, 'style=')
    assert.include(svg, 'aria-label="Sales by hour (the table beside it gives the figures)"')
  })

  test('values are left off every bar when one of them would not fit its slot', ({ assert }) => {
    const points = Array.from({ length: 60 }, (_, i) => ({ label: String(i), value: 100000 + i * 1000, text: 'x' }))
    const svg = barChart(points, { title: 'Many days', ...axis })
    assert.notInclude(svg, 'font-size="10"')
    assert.equal(svg.match(/<title>/g)!.length, 60)
  })
})
