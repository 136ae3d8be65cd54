import type Product from '#models/product'
import type { Actor } from '#staff/actor'
import CatalogService, { type ProductInput } from '#catalog/catalog_service'
import StockService, { MAX_COUNT } from '#inventory/stock_service'
import { DomainError } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { publish } from '#events/domain_events'

/*
| Editing a product (the back office's form, the API's PUT), in one transaction: the catalog's
| fields; a new stock figure, as a correction of the stock ledger (its adjustment document, rows
| and stock_adjusted entry, as POST /api/stock/adjustments writes them); and a product_updated
| audit entry of every field that changed, old and new (catalog_service.ts, ProductChanges), none
| when nothing did. It recorded price, cost, tax class and stock only: a rename, a new SKU or
| barcode, another category or taking the product off sale left no trace.
*/

export async function updateProduct(actor: Actor, product: Product, input: Partial<ProductInput>): Promise<void> {
  const { stock, ...fields } = input
  // A figure typed in is a count; below zero is only what selling does (where the store allows it)
  if (typeof stock === 'number' && stock < 0) throw new DomainError('The stock on hand cannot be set below zero', { code: 'invalid_stock', field: 'stock' })
  const stockChanged = await inTransaction(async (trx) => {
    const { product: saved, changes } = await new CatalogService().update(trx, actor.store, product, fields)
    const was = Number(saved.stock)
    if (typeof stock === 'number' && stock !== was) {
      if (Math.abs(stock - was) > MAX_COUNT) {
        throw new DomainError(`A change of stock of ${stock - was} is not believable: at most ${MAX_COUNT.toLocaleString('en-US')}`, { code: 'absurd_quantity', field: 'stock' })
      }
      await new StockService().adjustWithin(trx, actor, { reason: 'correction', note: 'Stock on hand edited', lines: [{ productId: saved.id, quantity: stock - was }] })
      changes.stock = { from: was, to: stock }
    }
    if (Object.keys(changes).length) {
      await recordAudit({ action: 'product_updated', storeId: actor.store.id, userId: actor.user.id, subjectType: 'product', subjectId: saved.id, data: changes, ip: actor.ip }, trx)
    }
    return changes.stock !== undefined
  })
  if (stockChanged) publish('stock:changed', { storeId: actor.store.id, reason: 'adjustment', productIds: [product.id] })
}
