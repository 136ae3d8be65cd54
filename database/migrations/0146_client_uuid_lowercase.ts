import { BaseSchema } from '@adonisjs/lucid/schema'
import logger from '@adonisjs/core/services/logger'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| Offline sales' client UUIDs and the tills' device ids are taken in small letters since 2026-12-06
| (validators/offline.ts, staff/actor.ts). Those kept in capitals before were no longer found: a
| recorded sale sent again in small letters was a conflict on SQLite (and a 500 on MariaDB), and
| the device holding a register's lease in capitals was taken for another device. Here they are
| written in small letters: sales.client_uuid and sales.device_id, offline_reviews.client_uuid,
| registers.lease_device_id (pos:restore does the same for a backup from before this).
|
| When the small-letter form is already another row's (only SQLite can hold both: MariaDB's unique
| keys ignore case), the row in capitals is left as it is: the small-letter form keeps naming the
| row that was sent that way, and neither sale nor review is merged or dropped. There is no way
| down: which rows were in capitals is not kept.
*/

export default class extends BaseSchema {
  // Outside one transaction, a batch of rows at a time (below): on a large MariaDB store an
  // UPDATE that scans every sale holds a lock on each row it reads until the file's transaction
  // commits, and the other servers' sales waited past their deadline during a rolling upgrade
  static disableTransactions = true

  async up() {
    this.defer(async (client) => {
      const left = await lowercaseClientUuids(client)
      if (left) logger.warn('%d offline sale or review UUID(s) left in capitals: the same UUID in small letters names another row', left)
    })
  }

  async down() {}
}

/** Writes the client UUIDs and device ids kept in capitals in small letters; answers how many were left as they were (their small-letter form taken) */
export async function lowercaseClientUuids(client: QueryClientContract): Promise<number> {
  // MariaDB compares text without case: a byte comparison finds the ones in capitals
  const inCapitals = (column: string) =>
    client.dialect.name === 'mysql' ? `CAST(${column} AS BINARY) <> CAST(LOWER(${column}) AS BINARY)` : `${column} <> lower(${column})`
  let left = 0
  // Unique: one row at a time, each after a look for the small-letter form in another row
  for (const [table, sameKey] of [['sales', [] as string[]], ['offline_reviews', ['kind']]] as const) {
    const rows = await client.from(table).whereRaw(inCapitals('client_uuid')).select('id', 'client_uuid', ...sameKey)
    for (const row of rows) {
      const lower = String(row.client_uuid).toLowerCase()
      const other = client.from(table).where('client_uuid', lower).whereNot('id', row.id)
      for (const key of sameKey) other.where(key, row[key])
      const taken = await other.first()
      if (taken) left++
      else await client.from(table).where('id', row.id).update({ client_uuid: lower })
    }
  }
  // No unique key on these
  await lowerInBatches(client, 'sales', 'device_id', inCapitals)
  await lowerInBatches(client, 'registers', 'lease_device_id', inCapitals)
  return left
}

/** UPDATE … SET column = LOWER(column) over ranges of 5,000 ids, each its own statement */
async function lowerInBatches(client: QueryClientContract, table: string, column: string, inCapitals: (column: string) => string) {
  const top = Number((await client.from(table).max('id as top'))[0]?.top ?? 0)
  for (let from = 0; from < top; from += 5000) {
    await client
      .from(table)
      .where('id', '>', from)
      .where('id', '<=', from + 5000)
      .whereRaw(inCapitals(column))
      .update({ [column]: client.raw(`LOWER(${column})`) })
  }
}
