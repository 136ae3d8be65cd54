import db from '@adonisjs/lucid/services/db'
import { countRows, stockOf, type TestStore } from '#tests/fixtures'
import { ean13 } from '#core/barcode'

/*
| What a write through the API left behind, compared before and after a refused request to prove
| that nothing was written; and fresh barcodes for the product tests.
*/

/** Every row a sale could write in a store, and the stock of the given products */
export async function saleFootprint(fixture: TestStore, productIds: number[] = []) {
  const saleIds = db.from('sales').where('store_id', fixture.store.id).select('id')
  return {
    sales: await countRows('sales', { store_id: fixture.store.id }),
    items: Number((await db.from('sale_items').whereIn('sale_id', saleIds).count('* as n').first()).n),
    payments: await countRows('payments', { store_id: fixture.store.id }),
    movements: await countRows('stock_movements', { store_id: fixture.store.id }),
    lastNumber: Number((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number),
    stock: await Promise.all(productIds.map(stockOf)),
  }
}

/** Everything a product write could leave behind in a store */
export async function productFootprint(fixture: TestStore) {
  return {
    products: await countRows('products', { store_id: fixture.store.id }),
    barcodes: await countRows('product_barcodes', { store_id: fixture.store.id }),
    movements: await countRows('stock_movements', { store_id: fixture.store.id }),
    categories: await countRows('categories', { store_id: fixture.store.id }),
  }
}

/** A fresh valid EAN-13 barcode, unique within the run */
let counter = Math.floor(Math.random() * 1_000_000)
export function newBarcode() {
  counter++
  return ean13(`21${String(counter).padStart(10, '0')}`)
}
