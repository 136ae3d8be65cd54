import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import { dbTimestamp } from '#platform/db_time'

/**
 * Puts sold units back on the shelf (a refund restocking its lines, a voided sale) inside the
 * caller's transaction: products in id order, the lock order every sale uses, and one ledger row
 * per product so products.stock stays equal to the sum of its movements. Returns the product ids.
 */
export async function returnToStock(
  trx: TransactionClientContract,
  entry: { storeId: number; userId: number; saleId: number | null; reason: 'refund' | 'void'; note?: string | null; at: DateTime },
  lines: { productId: number; quantity: number }[]
) {
  const perProduct = new Map<number, number>()
  for (const line of lines) perProduct.set(line.productId, (perProduct.get(line.productId) ?? 0) + line.quantity)
  const productIds = [...perProduct.keys()].sort((a, b) => a - b)
  if (!productIds.length) return productIds
  for (const productId of productIds) {
    await trx.from('products').where('id', productId).increment('stock', perProduct.get(productId)!)
  }
  await trx.insertQuery().table('stock_movements').multiInsert(
    productIds.map((productId) => ({
      store_id: entry.storeId,
      product_id: productId,
      quantity: perProduct.get(productId)!,
      reason: entry.reason,
      sale_id: entry.saleId,
      user_id: entry.userId,
      note: entry.note ?? null,
      created_at: dbTimestamp(entry.at),
    }))
  )
  return productIds
}
