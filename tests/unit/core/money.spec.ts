import { test } from '@japa/runner'
import { allocate, divideRoundHalfUp, mulDivRoundHalfUp, formatMoney, minorToDecimal, parseMoney, parsePercent, roundToIncrement } from '#core/money'

test.group('Money arithmetic', () => {
  test('divides with half-up rounding, away from zero', ({ assert }) => {
    assert.equal(divideRoundHalfUp(5, 2), 3)
    assert.equal(divideRoundHalfUp(4, 2), 2)
    assert.equal(divideRoundHalfUp(7, 3), 2)
    assert.equal(divideRoundHalfUp(-5, 2), -3)
    assert.equal(divideRoundHalfUp(1249, 100), 12)
    assert.equal(divideRoundHalfUp(1250, 100), 13)
    // 9,999 x 1,000,000.00 at 8.875%: the product passes 2^53 and stays exact
    assert.equal(mulDivRoundHalfUp(999_900_000_000, 88750, 1_000_000), 88_741_125_000)
  })

  test('allocates a total in proportion, parts adding up exactly', ({ assert }) => {
    assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33])
    assert.deepEqual(allocate(10, [500, 300, 200]), [5, 3, 2])
    assert.deepEqual(allocate(0, [5, 5]), [0, 0])
    const parts = allocate(997, [333, 333, 334, 1])
    assert.equal(parts.reduce((a, b) => a + b, 0), 997)
  })

  test('cash rounding to the smallest coin', ({ assert }) => {
    assert.equal(roundToIncrement(1232, 5), 1230)
    assert.equal(roundToIncrement(1233, 5), 1235)
    assert.equal(roundToIncrement(1233, 1), 1233)
  })

  test('parses and formats money by the currency digits', ({ assert }) => {
    assert.equal(parseMoney('12.34', 'USD'), 1234)
    assert.equal(parseMoney('12.3', 'USD'), 1230)
    assert.equal(parseMoney('12', 'USD'), 1200)
    assert.isNull(parseMoney('12.345', 'USD'))
    assert.isNull(parseMoney('abc', 'USD'))
    assert.equal(parseMoney('1500', 'JPY'), 1500)
    // A comma groups thousands where that is the one reading ("5,00" was once read as 500.00), or
    // is the decimal mark when it can be nothing else
    assert.equal(parseMoney('1,234.50', 'USD'), 123450)
    assert.equal(parseMoney('$1,234,567', 'USD'), 123456700)
    assert.equal(parseMoney('1,500', 'JPY'), 1500)
    for (const [typed, minor] of [['1,20', 120], ['5,00', 500], ['12,5', 1250], ['0,70', 70], ['1.234,50', 123450], ['12,50 €', 1250], ['-3,50', -350], ['1.234.567,89', 123456789]] as const) {
      assert.equal(parseMoney(typed, 'EUR'), minor, typed)
    }
    assert.equal(parseMoney('1,20', 'USD'), 120)
    // Read two ways (1.234 or 1234 dinars; a price override "4,995": 4995.00 or a typo of 4,95), or none: refused
    for (const typed of ['4,995', '0,505', '0,505.00', '1,23,456', '12,3456', ',5', '5,', '1,2.50', '1.2,50', '1.234.50', '1,234,50', '12,50x', '1,,20']) {
      assert.isNull(parseMoney(typed, 'USD'), typed)
      assert.isNull(parseMoney(typed, 'EUR'), typed)
    }
    assert.isNull(parseMoney('1,234', 'BHD'))
    assert.isNull(parseMoney('0,500', 'JPY'))
    assert.isNull(parseMoney('1,20', 'JPY'))
    assert.isNull(parseMoney('1.234', 'USD'))
    assert.equal(formatMoney(1234, 'USD'), '$12.34')
    assert.equal(minorToDecimal(5, 'USD'), '0.05')
  })

  test('a typed percentage is read by the same rule, in basis points', ({ assert }) => {
    for (const [typed, points] of [['1,5', 150], ['1.5', 150], ['12,50', 1250], ['100', 10_000], ['0,05', 5]] as const) {
      assert.equal(parsePercent(typed), points, typed)
    }
    for (const typed of ['1,5050', '1,2,3', 'abc', '', '1.2,5', '1,234', '0,125']) assert.isNull(parsePercent(typed), typed)
  })

  test('formatted amounts are kept, and always read as Intl formats them', ({ assert }) => {
    const cases: [string, string, number][] = [['en-US', 'USD', 100], ['en-US', 'JPY', 1], ['en-US', 'BHD', 1000], ['de-DE', 'EUR', 100]]
    for (const [locale, currency, unit] of cases) {
      const intl = new Intl.NumberFormat(locale, { style: 'currency', currency })
      // Past the number kept, twice over, with negatives: the second pass reads the kept texts
      for (const pass of [1, 2]) {
        for (let minor = -25; minor < 10_030; minor += 1) {
          assert.equal(formatMoney(minor, currency, locale), intl.format(minor / unit), `${locale} ${currency} ${minor} pass ${pass}`)
        }
      }
      assert.equal(formatMoney(-0, currency, locale), intl.format(-0))
      assert.equal(formatMoney(0, currency, locale), intl.format(0))
    }
  })
})
