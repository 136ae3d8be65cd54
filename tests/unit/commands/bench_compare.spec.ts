import { test } from '@japa/runner'
import { comparePairs, ratioText, readBenchTable, spread } from '../../../commands/_bench_compare.js'

/*
| pos:bench-compare reads pos:bench's printed table. These rows are pos:bench's own (a MariaDB run
| of 2026-12-05, colours as a terminal shows them, and a SQLite run's CPU row, which has no
| database figure).
*/
const dim = (text: string) => `\x1b[2m${text}\x1b[22m`
const row = (label: string, measured: string) => `${dim('│')}  ${label.padEnd(60)}${dim('│')}  ${measured.padEnd(30)}${dim('│')}  ${''.padEnd(10)}${dim('│')}  ${''.padEnd(6)}${dim('│')}`
const mariadb = [
  row('Measure', 'Measured'),
  row('scan-to-cart at till pace (8 tills, one scan each per 100 ms), server time p50 / p95 / p99', '5.9 ms / 12.8 ms / 22.0 ms'),
  row('  the same, as the bench client waited', '8.4 ms / 18.3 ms / 26.6 ms'),
  row('scans per second, back to back', '234'),
  row('sale, 5 lines, at till pace (8 tills, one sale each per 250 ms), server time p50 / p95 / p99', '5.4 ms / 10.0 ms / 18.1 ms'),
  row('sales per second, back to back (8 clients)', '1,453'),
  row('  the limit: the same rows in the same round trips from a bare mysql2 client (8 connections), sales/s', '874'),
  row('  our sales per second as a share of the limit', '52%'),
  row('  database round trips per sale (the server\'s, all it sent during the sales)', '2.05'),
  row('CPU per scan: server / database / bench client', '4.33 / 1.18 / 1.27 ms'),
  row('CPU per sale: server / database / bench client', '1.79 / 1.57 / 0.38 ms'),
  row('till first page (GET /till, 50 loads, 100,000 products), server time p50 / p95', '3.6 ms / 7.7 ms'),
].join('\n')

test.group('pos:bench-compare', () => {
  test('reads each figure from its row and its place in the cell', ({ assert }) => {
    assert.deepEqual(readBenchTable(mariadb), {
      'sales per second, back to back': 1453,
      'the limit (bare mysql2), sales/s': 874,
      'our share of the limit, %': 52,
      'CPU per sale, server, ms': 1.79,
      'CPU per sale, database, ms': 1.57,
      'sale p95 at till pace, server time, ms': 10,
      'database round trips per sale': 2.05,
      'scans per second, back to back': 234,
      'CPU per scan, server, ms': 4.33,
      'CPU per scan, database, ms': 1.18,
      'scan p50 at till pace, server time, ms': 5.9,
      'scan p95 at till pace, server time, ms': 12.8,
      'till first page p50, server time, ms': 3.6,
    })
  })

  test('a figure the run does not print is absent, not read from its neighbour', ({ assert }) => {
    const sqlite = readBenchTable([row('CPU per sale: server / database / bench client', '3.22 / - / 0.39 ms'), row('sales per second, back to back (8 clients)', '301')].join('\n'))
    assert.deepEqual(sqlite, { 'CPU per sale, server, ms': 3.22, 'sales per second, back to back': 301 })
    assert.deepEqual(readBenchTable('The benchmark stopped: the server exited'), {})
  })

  test('pairs the runs in order and sums them up by medians and the median of the ratios', ({ assert }) => {
    const base: Record<string, number>[] = [{ 'sales per second, back to back': 400 }, { 'sales per second, back to back': 300 }, { 'sales per second, back to back': 500 }]
    const here: Record<string, number>[] = [{ 'sales per second, back to back': 440 }, { 'sales per second, back to back': 360 }, {}]
    const [sales] = comparePairs(base, here)
    // the third pair has no figure of this checkout: left out of both sides
    assert.deepEqual(sales, { name: 'sales per second, back to back', base: [400, 300], here: [440, 360], ratios: [1.1, 1.2] })
    assert.equal(spread(sales.base, 0), '350 (300–400)')
    assert.equal(ratioText(sales.ratios), '1.15 (1.10, 1.20)')
  })
})
