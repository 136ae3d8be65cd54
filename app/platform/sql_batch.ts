import { DateTime } from 'luxon'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { LucidModel, LucidRow } from '@adonisjs/lucid/types/model'
import { COMMIT_SUFFIX } from '#platform/mysql_pipelining'
import { clusterNodes } from '#platform/database_nodes'

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

/**
 * The INSERT of a new model instance, its columns prepared as the model's own save() would;
 * `columns` sets some of them as given (an InsertedId for a parent written in the same batch)
 */
export function modelInsert(row: LucidRow, columns: Record<string, unknown> = {}): Statement {
  const model = row.constructor as any
  // Sets created_at / updated_at like save() does (the models written this way have no hooks)
  ;(row as any).initiateAutoCreateColumns()
  return insertStatement(model.table, [{ ...preparedColumns(row, row.$attributes), ...columns }])
}

/**
 * The columns of these attributes as the model's save() writes them (prepareForAdapter). Lucid
 * prepares a date-time column by building a query of the model to ask its dialect for the
 * format, then formatting through luxon: over 1% of a sale's server CPU. MySQL and
 * SQLite both take 'yyyy-MM-dd HH:mm:ss', written here from the DateTime's own fields (its zone,
 * as luxon's toFormat would). A column with a prepare function of its own keeps it.
 */
function preparedColumns(row: LucidRow, attributes: Record<string, unknown>): Record<string, unknown> {
  const model = row.constructor as LucidModel
  const columns: Record<string, unknown> = {}
  for (const key of Object.keys(attributes)) {
    const column = model.$getColumn(key)!
    const value = attributes[key]
    if (column.prepare?.name === 'prepareDateTimeColumn' && DateTime.isDateTime(value) && value.isValid) columns[column.columnName] = sqlDateTime(value)
    else columns[column.columnName] = typeof column.prepare === 'function' ? column.prepare(value, key, row) : value
  }
  return columns
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`)

/** A DateTime as MySQL and SQLite take it, 'yyyy-MM-dd HH:mm:ss' in its own zone (as a model's save() writes it) */
export function sqlDateTime(at: DateTime) {
  return `${String(at.year).padStart(4, '0')}-${two(at.month)}-${two(at.day)} ${two(at.hour)}:${two(at.minute)}:${two(at.second)}`
}

/** The UPDATE of a persisted model instance's changed columns (null when nothing changed) */
export function modelUpdate(row: LucidRow): Statement | null {
  const model = row.constructor as any
  // $isDirty works out $dirty (a diff of every attribute), so it is asked for once
  if (!Object.keys(row.$dirty).length) return null
  ;(row as any).initiateAutoUpdateColumns()
  const changes = preparedColumns(row, row.$dirty)
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

/**
 * A persisted model instance from a row read with runStatements, as Lucid's
 * $createFromAdapterResult makes it: each column through its consume function, the originals
 * set, persisted. Lucid sets each attribute through the model's Proxy and deep-copies them
 * (lodash) for the originals: a fortieth of a till scan's server CPU for the cart's sale and the
 * scanned product alone. A row with a column the model does not name (an extra, a relation) is
 * left to Lucid.
 */
export function modelFromRow<Model extends LucidModel>(model: Model, row: Record<string, unknown>): InstanceType<Model> {
  const keys = (model as any).$keys
  const instance = new model() as InstanceType<Model>
  const attributes: Record<string, unknown> = {}
  for (const key in row) {
    const name = keys.columnAliasesToAttributes.get(key) || keys.columnsToAttributes.get(key)
    if (!name) return model.$createFromAdapterResult(row) as InstanceType<Model>
    const consume = model.$getColumn(name)!.consume
    attributes[name] = typeof consume === 'function' ? consume(row[key], name, instance) : row[key]
  }
  instance.$attributes = attributes
  hydrateOriginals(instance)
  instance.$isPersisted = true
  instance.$isLocal = false
  return instance
}

/** After modelWrite's statement ran (result undefined when there was none) */
export function afterWrite(row: LucidRow, result: StatementResult | undefined) {
  if (!row.$isPersisted && result) markInserted(row, result)
  else hydrateOriginals(row)
}

/** After its INSERT ran: the instance has its id and is persisted, as after save() */
export function markInserted(row: LucidRow, result: StatementResult) {
  row.$attributes[(row.constructor as any).primaryKey] = result.insertId
  hydrateOriginals(row)
  row.$isPersisted = true
}

/**
 * What save() does once written: the attributes become the originals ($dirty compares with
 * them). Lucid deep-merges them (lodash), a hundredth of a sale's server CPU; a shallow copy is
 * the same when no value can change in place (numbers, strings, booleans, null, luxon DateTimes).
 */
function hydrateOriginals(row: LucidRow) {
  const attributes = row.$attributes
  for (const key in attributes) {
    const value = attributes[key]
    if (value !== null && typeof value === 'object' && !DateTime.isDateTime(value)) return row.$hydrateOriginals()
  }
  row.$original = { ...attributes }
}

/**
 * A binding that stands for the id of the row that an earlier single-row INSERT of the same
 * batch added, so a new sale and its lines go in one round trip: on MySQL/MariaDB it becomes a
 * session variable set from LAST_INSERT_ID(), on SQLite the id read after that statement ran.
 * (After a multi-row INSERT the two would differ: MySQL names the first row, SQLite the last.)
 * The INSERT is named by its place in the batch, or by the statement itself (statements that go
 * with the COMMIT are put together from several writers: see writeAtCommit).
 */
export class InsertedId {
  constructor(readonly statement: number | Statement) {}

  /** The INSERT's place among the batch's statements */
  in(statements: Statement[]) {
    return typeof this.statement === 'number' ? this.statement : statements.indexOf(this.statement)
  }
}

export function insertedId(statement: number | Statement) {
  return new InsertedId(statement)
}

export interface RunOptions {
  /**
   * Commit the transaction with these statements, in their round trip on MySQL/MariaDB. Only
   * for the code that opened the transaction (inTransaction's own callback), as its last query:
   * nothing may run in the transaction after it (see mysql_pipelining.ts).
   */
  commit?: boolean
}

/** Runs the statements in order in the client's transaction; one result per statement */
export async function runStatements(client: QueryClientContract, statements: Statement[], options: RunOptions = {}): Promise<StatementResult[]> {
  if (!statements.length) return []
  // One statement per round trip on SQLite (in-process anyway) and on a Galera cluster, where a
  // transaction aborted by a conflicting write from another node (a "brute force abort") while
  // a multi-statement batch runs lets the batch's later statements run outside the transaction
  // (seen: a payment INSERT failing its foreign key because its sale had been rolled back)
  if (client.dialect.name !== 'mysql' || clusterNodes) {
    const results: StatementResult[] = []
    for (const statement of statements) {
      const bindings = statement.bindings.map((value) => (value instanceof InsertedId ? referenced(results, value.in(statements)).insertId : value))
      const answer = await client.rawQuery(statement.sql, bindings as any[])
      // mysql2 answers [rows or header, fields]; better-sqlite3 the rows or header alone
      results.push(toResult(client.dialect.name === 'mysql' ? answer[0] : answer))
    }
    return results
  }

  // Each INSERT whose id a later statement uses is followed by SET @inserted_N = LAST_INSERT_ID()
  const used = new Set<number>()
  for (const [index, statement] of statements.entries()) {
    for (const value of statement.bindings) {
      if (!(value instanceof InsertedId)) continue
      const inserted = value.in(statements)
      if (inserted < 0 || inserted >= index) throw new Error(`Statement ${index} uses the id of statement ${inserted}, which does not come before it`)
      used.add(inserted)
    }
  }
  const texts: string[] = []
  const bindings: unknown[] = []
  const own: number[] = []
  for (const [index, statement] of statements.entries()) {
    if (statement.bindings.some((value) => value instanceof InsertedId)) {
      // The placeholder of each id from an earlier INSERT becomes its session variable
      let next = 0
      texts.push(
        statement.sql.replace(/\?/g, () => {
          const value = statement.bindings[next++]
          if (value instanceof InsertedId) return `@inserted_${value.in(statements)}`
          bindings.push(value)
          return '?'
        })
      )
    } else {
      texts.push(statement.sql)
      bindings.push(...statement.bindings)
    }
    own.push(texts.length - 1)
    if (used.has(index)) texts.push(`SET @inserted_${index} = LAST_INSERT_ID()`)
  }
  const commit = options.commit && client.isTransaction ? COMMIT_SUFFIX : ''
  const sql = texts.join(';\n') + commit
  const [answer] = client.isTransaction ? await queryOnTransaction(client, sql, bindings) : await client.rawQuery(sql, bindings as any[])
  const answers = texts.length === 1 ? [answer] : answer
  return own.map((position) => toResult(answers[position]))
}

/**
 * A batch sent straight on the transaction's mysql2 connection, answered as rawQuery answers
 * ([rows or header, fields]). Lucid's raw query and knex's runner around it (its query object,
 * events, and a second scan of the whole batch's SQL for its placeholders) were about 3% of a
 * sale's server CPU under pos:bench, for nothing this batch needs. What they checked is
 * kept: a transaction that has ended (its COMMIT or ROLLBACK sent, its node gone) refuses it
 * with knex's own error, which db_transaction.ts knows.
 */
async function queryOnTransaction(client: QueryClientContract, sql: string, bindings: unknown[]): Promise<[any, any]> {
  const knexTransaction = (client as any).knexClient
  if (knexTransaction.isCompleted()) throw new Error('Transaction query already complete, run with DEBUG=knex:tx for more info')
  const connection = await knexTransaction.client.acquireConnection()
  return new Promise((resolve, reject) => {
    connection.query({ sql }, bindings, (error: Error | null, rows: any, fields: any) => (error ? reject(error) : resolve([rows, fields])))
  })
}

function referenced(results: StatementResult[], statement: number) {
  const result = statement >= 0 ? results[statement] : undefined
  if (!result) throw new Error(`A statement uses the id of statement ${statement}, which does not come before it`)
  return result
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
