import db from '@adonisjs/lucid/services/db'
import { countRows, type TestStore } from '#tests/fixtures'

/** A completed sale through the real API; returns its JSON */
export async function completedSale(client: any, token: string, items: object[], paymentMethod = 'cash', extra: Record<string, unknown> = {}) {
  const response = await client.post('/api/sales').bearerToken(token).json({ items, payment_method: paymentMethod, tendered: paymentMethod === 'cash' ? 10_000_000 : undefined, ...extra })
  response.assertStatus(201)
  return response.body()
}

/** Every row a refund or a void could write for a store, to prove that a refused one wrote nothing */
export async function returnsFootprint(fixture: TestStore) {
  const refundIds = db.from('refunds').where('store_id', fixture.store.id).select('id')
  const saleIds = db.from('sales').where('store_id', fixture.store.id).select('id')
  return {
    refunds: await countRows('refunds', { store_id: fixture.store.id }),
    refundItems: Number((await db.from('refund_items').whereIn('refund_id', refundIds).count('* as n').first()).n),
    refundPayments: Number((await db.from('refund_payments').whereIn('refund_id', refundIds).count('* as n').first()).n),
    movements: await countRows('stock_movements', { store_id: fixture.store.id }),
    refundedQuantity: Number((await db.from('sale_items').whereIn('sale_id', saleIds).sum('refunded_quantity as n').first()).n ?? 0),
    voided: await countRows('sales', { store_id: fixture.store.id, status: 'voided' }),
    heads: (await db.from('registers').where('store_id', fixture.store.id).orderBy('id').select('last_sale_hash')).map((r) => r.last_sale_hash),
    audits: await countRows('audit_logs', { store_id: fixture.store.id }),
  }
}
