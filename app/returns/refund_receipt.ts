import Refund from '#models/refund'
import Register from '#models/register'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Product from '#models/product'
import User from '#models/user'
import type Store from '#models/store'
import { notFound } from '#exceptions/domain_error'

/*
| What a refund's receipt prints (till/_refund_receipt.edge), right after the refund and printed
| again later (GET /till/refunds/:id): its own register and cashier, not the till's that shows it.
*/

export interface RefundReceipt {
  refund: Refund
  /** The sale it returned from; null for a return without a receipt */
  sale: Sale | null
  register: Register
  /** The first name of who made the refund */
  cashier: string | null
  /** Line names by product id: as the sale named them, else the product's name now */
  names: Record<number, string>
}

/** A refund of the store with what its receipt prints (404 for another store's) */
export async function refundReceipt(store: Store, refundId: number): Promise<RefundReceipt> {
  const refund = await Refund.query().where({ id: refundId, store_id: store.id }).preload('items').preload('payments').first()
  if (!refund) throw notFound('The refund')
  const productIds = refund.items.map((line) => line.productId)
  const saleItemIds = refund.items.map((line) => line.saleItemId ?? 0)
  const [sale, register, user, products, saleItems] = await Promise.all([
    refund.saleId ? Sale.query().where({ id: refund.saleId, store_id: store.id }).first() : null,
    Register.findOrFail(refund.registerId),
    User.find(refund.userId),
    Product.query().whereIn('id', productIds).select('id', 'name'),
    SaleItem.query().whereIn('id', saleItemIds).select('id', 'product_id', 'name'),
  ])
  const names: Record<number, string> = Object.fromEntries(products.map((p) => [p.id, p.name]))
  for (const item of saleItems) names[item.productId] = item.name
  return { refund, sale: sale ?? null, register, cashier: user?.firstName ?? null, names }
}
