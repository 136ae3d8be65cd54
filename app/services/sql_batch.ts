import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { LucidRow } from '@adonisjs/lucid/types/model'

/*
| Statements sent together. A sale's writes are a dozen small statements; on MySQL/MariaDB each
| one is a network round trip whose cost (on both ends) outweighs the work it asks for, so the
| ones that do not depend on each other's answers go in one round trip (the connection allows
| multiple statements; every value is a bound parameter). On SQLite, in-process, they simply
| run one after the other.
*/

/** One statement: SQL with ? placeholders, and its values */
export interface Statement {
  sql: string
  bindings: unknown[]
}

export interface StatementResult {
  /** What a SELECT read */
  rows: any[]
  /** Rows an INSERT, UPDATE or DELETE changed */
  affectedRows: number
  /** The id of the (first) row an INSERT added */
  insertId: number
}

const quote = (name: string) => `\`${name}\``

/** INSERT INTO table (...) VALUES (...), (...): many rows in one statement on both databases */
export function insertStatement(table: string, rows: Record<string, unknown>[]): Statement {
  const columns = Object.keys(rows[0])
  const tuple = `(${columns.map(() => '?').join(', ')})`
  const bindings: unknown[] = []
  for (const row of rows) for (const column of columns) bindings.push(row[column] ?? null)
  return { sql: `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, bindings }
}

/** The INSERT of a new model instance, its columns prepared as the model's own save() would */
export function modelInsert(row: LucidRow): Statement {
  const model = row.constructor as any
  // Sets created_at / updated_at like save() does (the models written this way have no hooks)
  ;(row as any).initiateAutoCreateColumns()
  return insertStatement(model.table, [(row as any).prepareForAdapter(row.$attributes)])
}

/** The UPDATE of a persisted model instance's changed columns (null when nothing changed) */
export function modelUpdate(row: LucidRow): Statement | null {
  const model = row.constructor as any
  if (!row.$isDirty) return null
  ;(row as any).initiateAutoUpdateColumns()
  const changes: Record<string, unknown> = (row as any).prepareForAdapter(row.$dirty)
  const columns = Object.keys(changes)
  return {
    sql: `UPDATE ${quote(model.table)} SET ${columns.map((c) => `${quote(c)} = ?`).join(', ')} WHERE ${quote('id')} = ?`,
    bindings: [...columns.map((c) => changes[c]), row.$primaryKeyValue],
  }
}

/** What save() would send: the INSERT of a new instance, the UPDATE of a changed one, or nothing */
export function modelWrite(row: LucidRow): Statement | null {
  return row.$isPersisted ? modelUpdate(row) : modelInsert(row)
}

/** After modelWrite's statement ran (result undefined when there was none) */
export function afterWrite(row: LucidRow, result: StatementResult | undefined) {
  if (!row.$isPersisted && result) markInserted(row, result)
  else row.$hydrateOriginals()
}

/** After its INSERT ran: the instance has its id and is persisted, as after save() */
export function markInserted(row: LucidRow, result: StatementResult) {
  row.$consumeAdapterResult({ id: result.insertId })
  row.$hydrateOriginals()
  row.$isPersisted = true
}

/** Runs the statements in order in the client's transaction; one result per statement */
export async function runStatements(client: QueryClientContract, statements: Statement[]): Promise<StatementResult[]> {
  if (!statements.length) return []
  if (client.dialect.name !== 'mysql') {
    const results: StatementResult[] = []
    for (const statement of statements) results.push(toResult(await client.rawQuery(statement.sql, statement.bindings as any[])))
    return results
  }
  const [answer] = await client.rawQuery(
    statements.map((s) => s.sql).join(';\n'),
    statements.flatMap((s) => s.bindings) as any[]
  )
  return (statements.length === 1 ? [answer] : answer).map(toResult)
}

/** MySQL answers rows or a result header; better-sqlite3 rows or { changes, lastInsertRowid } */
function toResult(answer: any): StatementResult {
  if (Array.isArray(answer)) return { rows: answer, affectedRows: 0, insertId: 0 }
  return {
    rows: [],
    affectedRows: Number(answer?.affectedRows ?? answer?.changes ?? 0),
    insertId: Number(answer?.insertId ?? answer?.lastInsertRowid ?? 0),
  }
}
