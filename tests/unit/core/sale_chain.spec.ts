import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { refundHash, saleHash, voidHash, type ChainedSale } from '#core/sale_chain'

/*
| The links below were computed by the chain before it moved to the core (node:crypto, commit
| 26d756f): a chain stored in a database must verify the same after the move.
*/
const sale: ChainedSale = {
  storeId: 1,
  registerId: 2,
  number: 41,
  completedAt: '2026-03-14T09:26:53.000Z',
  subtotal: 2598,
  discountTotal: 260,
  taxTotal: 193,
  total: 2531,
  items: [{ productId: 7, quantity: 2, unitPrice: 1299, total: 2531 }],
  payments: [{ method: 'cash', amount: 2531 }],
}
const OLD = {
  sale: 'a4ef6b3a60de5fef9949b019dd193676e122bb6f9b4613b53d397ec0d1400bb7',
  next: '043544574f76f2fe126db8a4734bd57c2f8439051c58e129420a4d920292e352',
  refund: '9ba851e002b670105256af8139166a0b6070f3c97e3030a570eab9f76dc54543',
  void: 'b466b0d5d73faa5c666da49b48eb55ea6bff53448515decf5e1d8ca479066b74',
}

test.group('Hash chain links', () => {
  test('links stored before the move still verify', ({ assert }) => {
    assert.equal(saleHash(null, sale), OLD.sale)
    const next = { ...sale, number: 42, subtotal: 500, discountTotal: 0, taxTotal: 0, total: 500 }
    next.items = [{ productId: 8, quantity: 1, unitPrice: 500, total: 500 }]
    next.payments = [{ method: 'card', amount: 500 }]
    assert.equal(saleHash(OLD.sale, next), OLD.next)
    const refund = {
      storeId: 1,
      registerId: 2,
      saleId: 41,
      createdAt: '2026-03-14T10:00:00.000Z',
      reason: 'Défectueux — 壊れた 🍣',
      total: 1266,
      taxTotal: 97,
      items: [{ saleItemId: 3, productId: 7, quantity: 1, amount: 1266, restock: true }],
      payments: [{ method: 'cash', amount: 1266 }],
    }
    assert.equal(refundHash(OLD.next, refund), OLD.refund)
    const voided = { storeId: 1, registerId: 2, saleId: 42, saleHash: OLD.next, voidedAt: '2026-03-14T10:05:00.000Z', voidedBy: 3, reason: 'Wrong customer' }
    assert.equal(voidHash(OLD.refund, voided), OLD.void)
  })

  test('a link is the SHA-256 of its content and the previous link', ({ assert }) => {
    const content = JSON.stringify(['prev', 1, 2, 41, sale.completedAt, 2598, 260, 193, 2531, [[7, 2, 1299, 2531]], [['cash', 2531]]])
    assert.equal(saleHash('prev', sale), createHash('sha256').update(content).digest('hex'))
  })

  test('changing any amount or the previous link changes the link', ({ assert }) => {
    const link = saleHash(null, sale)
    assert.notEqual(saleHash('x', sale), link)
    assert.notEqual(saleHash(null, { ...sale, total: 2532 }), link)
    assert.notEqual(saleHash(null, { ...sale, payments: [{ method: 'card', amount: 2531 }] }), link)
  })
})
