import { tableRows } from '#backups/backup_format'
import { skuKey } from '#catalog/sku'
import { transaction } from '#platform/db_transaction'

/*
| A store's SKUs that MariaDB takes as one. Its unique key on (store_id, sku) compares them by the
| database's collation: without regard to case or accents, and in utf8mb4_unicode_ci "ß" is "ss",
| "æ" is "ae". SQLite's compares them exactly: the catalog has refused "tea-1" beside "TEA-1"
| since migration 0112, but SQLite's NOCASE folds only A to Z, so a SQLite database may hold such
| a pair from before, or "é-1" beside "É-1" at any time. Loaded into MariaDB, such a pair stops
| the restore at its second row, after the tables it replaces were dropped.
| - pos:restore into MariaDB asks that very database which of the backup's SKUs it takes as one
|   (skuClashesOn) and refuses the file, naming them, before it touches anything;
| - pos:backup-verify, whose scratch database is SQLite, warns of the pairs that differ in case or
|   accents only (skuClashes: skuKey, close to MariaDB's collations but not all of them).
*/

export interface SkuClash {
  storeId: number
  products: { id: number; sku: string }[]
}

interface ProductSku {
  id: number
  storeId: number
  sku: string
}

async function productSkus(file: string): Promise<ProductSku[]> {
  const products: ProductSku[] = []
  for await (const row of tableRows(file, 'products')) {
    if (typeof row.sku === 'string') products.push({ id: Number(row.id), storeId: Number(row.store_id), sku: row.sku })
  }
  return products
}

/** Products in groups by `key`, the groups of two or more, in store and id order */
function clashesBy(products: ProductSku[], key: (product: ProductSku) => string): SkuClash[] {
  const groups = new Map<string, SkuClash>()
  for (const product of products) {
    const id = `${product.storeId}\u0000${key(product)}`
    const group = groups.get(id) ?? { storeId: product.storeId, products: [] }
    group.products.push({ id: product.id, sku: product.sku })
    groups.set(id, group)
  }
  const clashes = [...groups.values()].filter((group) => group.products.length > 1)
  for (const clash of clashes) clash.products.sort((a, b) => a.id - b.id)
  return clashes.sort((a, b) => a.storeId - b.storeId || a.products[0].id - b.products[0].id)
}

/** The backup's products whose SKUs differ in case or accents only, per store (skuKey) */
export async function skuClashes(file: string): Promise<SkuClash[]> {
  return clashesBy(await productSkus(file), (product) => skuKey(product.sku))
}

/**
 * The backup's products whose SKUs a MariaDB database takes as one: its SKUs go into a temporary
 * table of the database's own collation (the one the restored products table gets), and that
 * table's GROUP BY says which are equal
 */
export async function skuClashesOn(connectionName: string, file: string): Promise<SkuClash[]> {
  const products = await productSkus(file)
  if (products.length < 2) return []
  const sameAs = new Map<number, string>()
  await transaction(async (trx) => {
    await trx.rawQuery('CREATE TEMPORARY TABLE backup_skus (id BIGINT NOT NULL, store_id BIGINT NOT NULL, sku VARCHAR(255) NOT NULL, KEY (store_id, sku))')
    try {
      for (let i = 0; i < products.length; i += 1000) {
        const part = products.slice(i, i + 1000)
        await trx.rawQuery(`INSERT INTO backup_skus (id, store_id, sku) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`, part.flatMap((p) => [p.id, p.storeId, p.sku]))
      }
      // Each member with its group's spelling as the database groups it
      const [rows] = await trx.rawQuery(
        `SELECT b.id, g.sku AS same_as FROM backup_skus b
         JOIN (SELECT store_id, MIN(sku) AS sku FROM backup_skus GROUP BY store_id, sku HAVING COUNT(*) > 1) g ON g.store_id = b.store_id AND g.sku = b.sku`
      )
      for (const row of rows as { id: number; same_as: string }[]) sameAs.set(Number(row.id), row.same_as)
    } finally {
      await trx.rawQuery('DROP TEMPORARY TABLE IF EXISTS backup_skus')
    }
  }, connectionName)
  return clashesBy(
    products.filter((product) => sameAs.has(product.id)),
    (product) => sameAs.get(product.id)!
  )
}

/** The clashes in a sentence: which products, and what to do */
export function describeSkuClashes(clashes: SkuClash[]): string {
  const shown = clashes.slice(0, 10).map((clash) => `store ${clash.storeId}: ${clash.products.map((p) => `${JSON.stringify(p.sku)} (product ${p.id})`).join(' and ')}`)
  const more = clashes.length > shown.length ? `; and ${clashes.length - shown.length} more` : ''
  return (
    `${clashes.length} SKU(s) of the backup are one SKU on MariaDB, whose collation compares them without regard to case or accents: ${shown.join('; ')}${more}. ` +
    'Give one product of each a SKU of its own on the server the backup comes from (back office, Products), back up again and restore that'
  )
}
