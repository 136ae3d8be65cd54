import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import { flatRateTax } from '#sales/flat_rate_tax'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { pluginRegistry } from '#plugins/registry'

/*
| The store's sellable catalog as the offline till keeps it (IndexedDB): products with their
| barcodes, prices, tax classes and categories, in pages of rows (arrays, not objects: a third of
| the bytes). A till loads every page once, then asks for the changes since the version it holds
| (products.updated_at, to the second; the same second is sent again, which is harmless), so a
| 100,000-product store stays usable offline without reloading it all.
*/

export const CATALOG_FIELDS = ['id', 'name', 'sku', 'price', 'tax_class', 'category_id', 'active', 'barcodes'] as const
export const CATALOG_PAGE = 5000

export interface CatalogPage {
  /** Seconds since the epoch of the newest change in this answer; ask `since` it next time */
  version: number
  fields: typeof CATALOG_FIELDS
  rows: (string | number | boolean | string[] | null)[][]
  /** The last product id of a full page: ask again with after_id for the next one */
  next_after_id: number | null
}

export default class OfflineCatalogService {
  /** A page of every product (after_id), or the products changed since a version (since) */
  async page(store: Store, options: { since?: number; afterId?: number }): Promise<CatalogPage> {
    const query = db
      .from('products')
      .where('store_id', store.id)
      .orderBy('id')
      .limit(CATALOG_PAGE)
      .select('id', 'name', 'sku', 'price', 'tax_class', 'category_id', 'active', 'archived_at', 'updated_at')
    if (options.afterId) query.where('id', '>', options.afterId)
    if (options.since) query.where('updated_at', '>=', dbTimestamp(new Date(options.since * 1000)))
    const products = await query
    const ids = products.map((p) => Number(p.id))
    const barcodes = ids.length ? await db.from('product_barcodes').whereIn('product_id', ids).select('product_id', 'code') : []
    const codesOf = new Map<number, string[]>()
    for (const row of barcodes) codesOf.set(Number(row.product_id), [...(codesOf.get(Number(row.product_id)) ?? []), row.code])
    let version = options.since ?? 0
    const rows: CatalogPage['rows'] = products.map((p) => {
      const changed = Math.floor(readTimestamp(p.updated_at).getTime() / 1000)
      if (changed > version) version = changed
      return [Number(p.id), p.name, p.sku, Number(p.price), p.tax_class, p.category_id === null ? null : Number(p.category_id), !!Number(p.active) && !p.archived_at, codesOf.get(Number(p.id)) ?? []]
    })
    // A delta's first page also names the products deleted since, as taken off sale: the till
    // drops them (a deleted product left no row to send, and the tills sold it on)
    if (options.since && !options.afterId) {
      const deleted = await db.from('catalog_deletions').where('store_id', store.id).where('deleted_at', '>=', dbTimestamp(new Date(options.since * 1000))).select('product_id', 'deleted_at')
      for (const row of deleted) {
        version = Math.max(version, Math.floor(readTimestamp(row.deleted_at).getTime() / 1000))
        rows.push([Number(row.product_id), '', '', 0, '', null, false, []])
      }
    }
    return { version, fields: CATALOG_FIELDS, rows, next_after_id: products.length === CATALOG_PAGE ? ids.at(-1)! : null }
  }

  /** What the till needs beside the products: the store's rules, tax rates and categories */
  async settings(store: Store) {
    const rates = await flatRateTax.ratesFor(store.id)
    const categories = await db.from('categories').where('store_id', store.id).orderBy('name').select('id', 'name')
    // Only the built-in flat rates run in the browser: a tax-region plugin's rules stay on the server
    const taxPlugin = pluginRegistry.taxRegion()
    return {
      store: { id: store.id, name: store.name, currency: store.currency, time_zone: store.timeZone, prices_include_tax: store.pricesIncludeTax, cash_rounding: store.cashRounding, discount_limit: store.discountLimit },
      tax_rates: [...rates].map(([taxClass, rate]) => ({ tax_class: taxClass, name: rate.name, rate_ppm: rate.ratePpm })),
      categories: categories.map((c) => ({ id: Number(c.id), name: c.name })),
      offline: taxPlugin
        ? { allowed: false, reason: `Taxes here come from the ${taxPlugin.id} plugin, which runs only on the server: this till cannot sell offline.` }
        : { allowed: true, reason: null },
    }
  }
}
