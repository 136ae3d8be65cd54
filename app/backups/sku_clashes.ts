import { readBackup } from '#backups/backup_format'
import { skuKey } from '#catalog/sku'

/*
| A store's SKUs that MariaDB takes as one. Its unique key on (store_id, sku) compares them
| without regard to case or accents. SQLite's compares them exactly: the catalog has refused
| "tea-1" beside "TEA-1" since migration 0112, but SQLite's NOCASE folds only A to Z, so a SQLite
| database may hold such a pair from before, or "é-1" beside "É-1" at any time. Loaded into MariaDB, such a pair stops the restore at its second row,
| after the tables it replaces were dropped. pos:restore asks first and names the pairs (nothing
| is touched), and pos:backup-verify says so of a backup, so a store moving to MariaDB renames
| one of each pair on the old server before it moves.
*/

export interface SkuClash {
  storeId: number
  products: { id: number; sku: string }[]
}

/** The backup's products that share a SKU in MariaDB's eyes, per store (by skuKey), in id order */
export async function skuClashes(file: string): Promise<SkuClash[]> {
  const groups = new Map<string, SkuClash>()
  let columns: string[] = []
  let inProducts = false
  for await (const record of readBackup(file)) {
    if (record.kind === 'table') {
      if (inProducts) break
      inProducts = record.table === 'products'
      columns = record.columns
    } else if (record.kind === 'row' && inProducts) {
      const [id, storeId, sku] = ['id', 'store_id', 'sku'].map((column) => record.values[columns.indexOf(column)])
      if (typeof sku !== 'string') continue
      const key = `${storeId}\u0000${skuKey(sku)}`
      const group = groups.get(key) ?? { storeId: Number(storeId), products: [] }
      group.products.push({ id: Number(id), sku })
      groups.set(key, group)
    }
  }
  const clashes = [...groups.values()].filter((group) => group.products.length > 1)
  for (const clash of clashes) clash.products.sort((a, b) => a.id - b.id)
  return clashes.sort((a, b) => a.storeId - b.storeId || a.products[0].id - b.products[0].id)
}

/** The clashes in a sentence: which products, and what to do */
export function describeSkuClashes(clashes: SkuClash[]): string {
  const shown = clashes.slice(0, 10).map((clash) => `store ${clash.storeId}: ${clash.products.map((p) => `${JSON.stringify(p.sku)} (product ${p.id})`).join(' and ')}`)
  const more = clashes.length > shown.length ? `; and ${clashes.length - shown.length} more` : ''
  return (
    `${clashes.length} SKU(s) of the backup are one SKU on MariaDB, which compares them without regard to case or accents: ${shown.join('; ')}${more}. ` +
    'Give one product of each a SKU of its own on the server the backup comes from (back office, Products), back up again and restore that'
  )
}
