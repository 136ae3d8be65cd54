import type { Statement } from '#platform/sql_batch'

/*
| Adding to counters in one statement on both databases: rows whose key exists get their other
| columns added to, new keys are inserted. Used for the report summaries, which every sale,
| void and refund moves in its own transaction.
*/

const quote = (name: string) => `\`${name}\``

/**
 * INSERT the rows; where a row's key (the table's primary key: `keys`) exists already, add its
 * other columns to the stored ones. `dialect` is the client's dialect name ('mysql' or 'sqlite').
 */
export function addToStatement(dialect: string, table: string, keys: string[], rows: Record<string, unknown>[]): Statement {
  const columns = Object.keys(rows[0])
  const counters = columns.filter((c) => !keys.includes(c))
  const tuple = `(${columns.map(() => '?').join(', ')})`
  const bindings: unknown[] = []
  for (const row of rows) for (const column of columns) bindings.push(row[column] ?? 0)
  const insert = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`
  const update =
    dialect === 'mysql'
      ? ` ON DUPLICATE KEY UPDATE ${counters.map((c) => `${quote(c)} = ${quote(c)} + VALUES(${quote(c)})`).join(', ')}`
      : ` ON CONFLICT (${keys.map(quote).join(', ')}) DO UPDATE SET ${counters.map((c) => `${quote(c)} = ${quote(c)} + excluded.${quote(c)}`).join(', ')}`
  return { sql: insert + update, bindings }
}
