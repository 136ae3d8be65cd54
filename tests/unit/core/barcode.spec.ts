import { test } from '@japa/runner'
import { checkBarcode, ean13, gtinCheckDigit } from '#core/barcode'

test.group('Barcode check digits', () => {
  test('EAN-13, EAN-8 and UPC-A check digits', ({ assert }) => {
    assert.equal(gtinCheckDigit('400638133393'), 1)
    assert.isTrue(checkBarcode('4006381333931').valid)
    assert.isFalse(checkBarcode('4006381333932').valid)
    assert.isTrue(checkBarcode('96385074').valid)
    assert.isFalse(checkBarcode('96385075').valid)
    assert.isTrue(checkBarcode('036000291452').valid)
    assert.isFalse(checkBarcode('036000291453').valid)
    assert.equal(ean13('590123412345'), '5901234123457')
  })

  test('internal codes pass, junk does not', ({ assert }) => {
    assert.isTrue(checkBarcode('SHOP-001').valid)
    assert.isFalse(checkBarcode('<script>').valid)
    assert.isFalse(checkBarcode('').valid)
  })
})
