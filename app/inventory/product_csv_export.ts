import { Readable } from 'node:stream'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import { BOM, csvLines } from '#platform/csv_writer'
import { minorToDecimal } from '#core/money'
import { COLUMNS } from '#inventory/product_csv_format'

/** The store's products as CSV for a spreadsheet (with the BOM), a page of rows at a time (never the whole file in memory) */
export function productsCsv(store: Store): Readable {
  async function* chunks() {
    yield BOM + csvLines([[...COLUMNS]])
    let lastId = 0
    for (;;) {
      const products = await db
        .from('products')
        .leftJoin('categories', 'categories.id', 'products.category_id')
        .where('products.store_id', store.id)
        .whereNull('products.archived_at')
        .where('products.id', '>', lastId)
        .orderBy('products.id')
        .limit(500)
        .select('products.*', 'categories.name as category_name')
      if (!products.length) return
      lastId = Number(products.at(-1).id)
      const codes = await db.from('product_barcodes').whereIn('product_id', products.map((p) => p.id)).orderBy('id').select('product_id', 'code')
      const byProduct = new Map<number, string[]>()
      for (const c of codes) byProduct.set(Number(c.product_id), [...(byProduct.get(Number(c.product_id)) ?? []), c.code])
      yield csvLines(
        products.map((p) => [
          p.sku,
          p.name,
          (byProduct.get(Number(p.id)) ?? []).join('|'),
          p.category_name ?? '',
          minorToDecimal(Number(p.price), store.currency),
          minorToDecimal(Number(p.cost), store.currency),
          p.tax_class,
          Number(p.stock),
          Number(p.low_stock_threshold),
          p.active ? 'yes' : 'no',
        ])
      )
    }
  }
  return Readable.from(chunks())
}
