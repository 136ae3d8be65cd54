import { BaseSchema } from '@adonisjs/lucid/schema'
import { addReferenceColumn } from '#database/reference_columns'

/*
| A refund names the shift open on its register when it was made, as a sale does. The shift
| report found a shift's refunds by time, with bounds of whole seconds on both ends: a refund
| made in the second a shift closed and the next opened counted in both Z reports. Refunds made
| before this are given the shift whose time they fall in (the earliest, on such a boundary).
*/
/** Each refund without a shift gets the one open on its register when it was made (pos:restore runs it for an older backup) */
export async function fillRefundShifts(client: { rawQuery: (sql: string) => Promise<unknown> }) {
  await client.rawQuery(
    'UPDATE refunds SET shift_id = (SELECT s.id FROM shifts s WHERE s.register_id = refunds.register_id AND s.opened_at <= refunds.created_at ' +
      'AND (s.closed_at IS NULL OR s.closed_at >= refunds.created_at) ORDER BY s.id LIMIT 1) WHERE shift_id IS NULL'
  )
}

export default class extends BaseSchema {
  async up() {
    addReferenceColumn(this, 'refunds', 'shift_id', 'shifts.id')
    this.schema.alterTable('refunds', (table) => {
      table.index(['shift_id'], 'refunds_shift_id_index')
    })
    this.defer((db) => fillRefundShifts(db))
  }

  async down() {
    this.schema.alterTable('refunds', (table) => {
      table.dropForeign(['shift_id'])
      table.dropIndex(['shift_id'], 'refunds_shift_id_index')
      table.dropColumn('shift_id')
    })
  }
}
