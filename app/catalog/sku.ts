import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| SKUs are compared without regard to case on both databases, as a store expects: "tea-1" finds,
| and clashes with, "TEA-1" wherever the POS runs. MariaDB's collation does so already (the
| database's utf8mb4 _ci collation, which also folds accents and more: "ß" is "ss" in
| utf8mb4_unicode_ci); on SQLite each comparison says COLLATE NOCASE (the letters A to Z), served
| by an index of that collation (migration 0112). Before this, SQLite kept "tea-1" beside "TEA-1",
| and such a store could not move to MariaDB (its restore hit the unique key); a pair kept from then
| is found exactly first. Which product a SKU names is asked of the database (productsBySku), never
| worked out in JavaScript, so the two always agree with the unique key.
*/

let dialect: string | undefined
/** The dialect of the app's database (one for the process's life) */
function primaryDialect() {
  return (dialect ??= db.connection().dialect.name)
}

/** `column = ?`, without regard to case */
export function skuEquals(column = 'sku') {
  return primaryDialect() === 'mysql' ? `${column} = ?` : `${column} = ? COLLATE NOCASE`
}

/**
 * SKUs starting with a typed text, whatever its case (a LIKE prefix: the SKU index serves it on
 * both databases); bind `skuPrefix(text)`
 */
export function skuStartsWith(column = 'sku') {
  return `${column} LIKE ? ESCAPE '!'`
}

/** A typed text as the pattern of skuStartsWith: its own % and _ are no wildcards */
export function skuPrefix(text: string) {
  return `${text.replace(/[!%_]/g, (c) => `!${c}`)}%`
}

/** The order that puts a SKU's exact spelling first (SQLite: a pair kept from before), with the SKU bound once more */
export function exactSkuFirst(column = 'sku') {
  return primaryDialect() === 'mysql' ? '' : ` ORDER BY ${column} = ? DESC, id`
}

/**
 * What two SKUs of one file have in common when either database may take them as one (case and
 * accents folded): a file naming both is refused at the second row rather than failing its import
 */
export function skuKey(sku: string) {
  return sku.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
}

/**
 * For each SKU asked for, the store's product the database takes as the same one (on SQLite the
 * exact spelling first, for a pair kept from before; MariaDB's unique key holds no such pair; then
 * the lowest id): asked SKU -> row with `columns` (and `id`, `sku`). `forUpdate` locks the rows
 * (MariaDB; SQLite has one writer at a time).
 */
export async function productsBySku(client: QueryClientContract, storeId: number, skus: string[], columns: string[], options: { forUpdate?: boolean } = {}) {
  const found = new Map<string, Record<string, any>>()
  const wanted = [...new Set(skus)]
  const sqlite = primaryDialect() !== 'mysql'
  for (let i = 0; i < wanted.length; i += 500) {
    const part = wanted.slice(i, i + 500)
    const answer = await client.rawQuery(productsBySkuSql(part.length, columns, { sqlite, forUpdate: options.forUpdate }), [...part, storeId])
    for (const row of (sqlite ? answer : answer[0]) as Record<string, any>[]) if (!found.has(row.asked)) found.set(row.asked, row)
  }
  return found
}

/**
 * productsBySku's statement for `count` SKUs (bound first, then the store). On SQLite a CROSS JOIN
 * keeps the asked SKUs outside, each found through the NOCASE index: left to choose, its planner
 * walked every product of the store for each SKU asked (a 500-SKU batch took 2 s in a store of
 * 100,000 products, blocking the server's one thread, and a 100,000-row import 2.5 minutes)
 */
export function productsBySkuSql(count: number, columns: string[], options: { sqlite: boolean; forUpdate?: boolean }) {
  const { sqlite } = options
  const asked = Array.from({ length: count }, () => 'SELECT ? AS sku').join(' UNION ALL ')
  const picked = [...new Set(['id', 'sku', ...columns])].map((c) => `p.${c}`).join(', ')
  return `SELECT ${picked}, w.sku AS asked FROM (${asked}) w ${sqlite ? 'CROSS JOIN' : 'JOIN'} products p ON p.store_id = ? AND p.sku = w.sku${sqlite ? ' COLLATE NOCASE' : ''}
       ORDER BY ${sqlite ? 'CASE WHEN p.sku = w.sku THEN 0 ELSE 1 END, ' : ''}p.id${options.forUpdate && !sqlite ? ' FOR UPDATE' : ''}`
}
