import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { MYSQL_SESSION_ZONE } from '#platform/db_time'

/*
| MySQL/MariaDB only (SQLite keeps times as text). Every time column was a TIMESTAMP, which the
| server converts from the session's time zone to UTC when it stores it; the app never set that
| zone, so the server's own one applied. The app writes UTC text ('yyyy-MM-dd HH:mm:ss', db_time.ts):
| on a server whose clock is set to local time (Europe/Berlin), a UTC time in that zone's spring-
| forward hour was refused (1292 "Incorrect datetime value"): for an hour a year no sale, refund
| or audit entry could be written, and an offline sale of that hour never synced. Those of the
| fall-back hour were ambiguous.
|
| Now every session is in UTC (SET at connect, config/database.ts) and every TIMESTAMP column of
| the database (the plugins' tables too) becomes a DATETIME, stored as written, in no zone (and
| past 2038). The ALTERs run with the session in the server's global zone, the one every
| connection had before this version: TIMESTAMP → DATETIME renders each stored instant in the
| session's zone, so each value comes out exactly as the app wrote it. Nullability, defaults
| (CURRENT_TIMESTAMP too) and comments are kept. An `ON UPDATE current_timestamp()` is dropped:
| none was asked for; an older MariaDB (explicit_defaults_for_timestamp OFF, the default before
| 10.10) added it by itself to a table's first NOT NULL TIMESTAMP, which rewrote that time (a
| sale's completed_at) whenever its row was updated.
| One ALTER per table, all its columns at once: each copies the table (minutes for millions of
| rows; docs/deploy.md). There is no way down: the app no longer writes TIMESTAMPs. pos:restore
| needs nothing of this: a backup holds the times as text (read with dateStrings), which a
| DATETIME column stores as it is.
*/

export default class extends BaseSchema {
  // The ALTERs commit on their own, and the session's zone must stay on the one connection they run on
  static disableTransactions = true

  async up() {
    this.defer(async (client) => {
      await timestampsToDatetime(client)
    })
  }

  async down() {}
}

interface TimeColumn {
  table: string
  name: string
  type: string
  nullable: string
  fallback: string | null
  comment: string
}

/**
 * Converts every TIMESTAMP column of the client's database to DATETIME, with the session in
 * `zone` (by default the server's global zone, the one the values were written under); answers
 * how many tables were altered. Nothing on SQLite.
 */
export async function timestampsToDatetime(client: QueryClientContract, zone?: string): Promise<number> {
  if (client.dialect.name !== 'mysql') return 0
  const knex: any = client.getWriteClient()
  const connection = await knex.client.acquireConnection()
  const run = (sql: string, bindings: unknown[] = []) =>
    new Promise<any>((resolve, reject) => connection.query(sql, bindings, (error: Error | null, rows: any) => (error ? reject(error) : resolve(rows))))
  let altered = 0
  try {
    const columns: TimeColumn[] = await run(
      `select table_name as \`table\`, column_name as name, column_type as type, is_nullable as nullable, column_default as fallback, column_comment as comment
       from information_schema.columns c where table_schema = database() and data_type = 'timestamp'
         and exists (select 1 from information_schema.tables t where t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE')
       order by table_name, ordinal_position`
    )
    if (!columns.length) return 0
    const [{ serverZone }] = await run('select @@global.time_zone as serverZone')
    await run('SET SESSION time_zone = ?', [zone ?? serverZone])
    const byTable = Map.groupBy(columns, (column) => column.table)
    for (const [table, ofTable] of byTable) {
      const changes = ofTable.map((column) => `MODIFY ${quote(column.name)} ${definition(column, (text) => connection.escape(text))}`)
      await run(`ALTER TABLE ${quote(table)} ${changes.join(', ')}`)
      altered++
    }
    return altered
  } finally {
    // Back in UTC before the connection returns to the pool; one that cannot be is not used again
    await run(`SET SESSION ${MYSQL_SESSION_ZONE}`).catch((error) => (connection.__knex__disposed = error))
    knex.client.releaseConnection(connection)
  }
}

const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``

/** The column's DATETIME definition: same precision, nullability, default and comment */
function definition(column: TimeColumn, escape: (text: string) => string): string {
  const parts = [column.type.replace(/^timestamp/i, 'datetime'), column.nullable === 'YES' ? 'NULL' : 'NOT NULL']
  const fallback = column.fallback
  // MariaDB lists a NULL default as the text NULL and quotes literals; MySQL gives SQL NULL and bare text
  // A zero date ('0000-00-00 00:00:00', what an older MariaDB gave a table's later NOT NULL
  // TIMESTAMPs by itself) is dropped: a DATETIME default of it fails under NO_ZERO_DATE (1067)
  if (fallback !== null && !/^null$/i.test(fallback) && !/^'?0000-00-00/.test(fallback)) {
    if (/^current_timestamp(\(\d*\))?$/i.test(fallback)) parts.push(`DEFAULT ${fallback}`)
    else parts.push(`DEFAULT ${fallback.startsWith("'") ? fallback : escape(fallback)}`)
  }
  if (column.comment) parts.push(`COMMENT ${escape(column.comment)}`)
  return parts.join(' ')
}
