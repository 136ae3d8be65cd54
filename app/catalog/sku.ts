import db from '@adonisjs/lucid/services/db'

/*
| SKUs are compared without regard to case on both databases, as a store expects: "tea-1" finds,
| and clashes with, "TEA-1" wherever the POS runs. MariaDB's collation does so already
| (utf8mb4_general_ci, which also ignores accents); on SQLite each comparison says COLLATE NOCASE
| (ASCII letters), served by an index of that collation (migration 0112). Before this, SQLite kept
| "tea-1" beside "TEA-1", and such a store could not move to MariaDB (its restore hit the unique
| key). Rows read back are matched in JavaScript by skuKey.
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

/** `column IN (?, …)` for `count` values, without regard to case */
export function skuIn(count: number, column = 'sku') {
  const list = Array.from({ length: count }, () => '?').join(', ')
  return primaryDialect() === 'mysql' ? `${column} IN (${list})` : `${column} COLLATE NOCASE IN (${list})`
}

/** What two SKUs the database takes as the same have in common */
export function skuKey(sku: string) {
  return sku.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
}
