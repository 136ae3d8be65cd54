import { dbTimestamp } from '#platform/db_time'
import { rowTime } from '#platform/row_time'
import { insertStatement, type Statement } from '#platform/sql_batch'

/*
| An offline sale made before a product was counted, but synced after the count: the shelf the
| count found had the sale's units gone already, while the stock on hand the count was saved
| against did not (the sale was still on the till). The stocktake takes those units off (the
| count is short of that stock), and the sale takes them off again when it syncs: a count of 5
| with 2 sold offline just before it left 3.
| So, when such a sale syncs, the counts of its products saved after the sale was made (by the
| till's clock) are put right, in the sync's transaction:
| - each stocktake still counting: its line's stock at count time is lowered by the units sold, so
|   its approval posts a variance without them;
| - the first approved one: its variance took them off already, so a 'count' movement of that
|   stocktake puts them back (the ledger shows why), and the sale's own movement stands. Counts
|   approved after it were saved against stock it had put right.
*/

export interface CountLine {
  id: number
  stocktakeId: number
  stocktakeName: string
  productId: number
  countedAt: number
  approved: boolean
}

/** Counts saved since `since` of these products, in the order they were saved (to lock, on MySQL) */
export function countLinesStatement(storeId: number, productIds: number[], since: Date, forUpdate: string): Statement {
  const marks = productIds.map(() => '?').join(', ')
  return {
    sql:
      'SELECT l.id, l.stocktake_id, l.product_id, l.counted_at, s.status, s.name FROM stocktake_lines l JOIN stocktakes s ON s.id = l.stocktake_id ' +
      `WHERE s.store_id = ? AND l.product_id IN (${marks}) AND l.counted IS NOT NULL AND l.counted_at_stock IS NOT NULL AND l.counted_at > ? ORDER BY l.counted_at, l.id${forUpdate}`,
    bindings: [storeId, ...productIds, dbTimestamp(since)],
  }
}

export function countLines(rows: any[]): CountLine[] {
  return rows.map((row) => ({
    id: Number(row.id),
    stocktakeId: Number(row.stocktake_id),
    stocktakeName: String(row.name),
    productId: Number(row.product_id),
    countedAt: rowTime(row.counted_at)!.toMillis(),
    approved: row.status === 'approved',
  }))
}

export interface CountCorrections {
  /** Units to lower each still-counting line's stock at count time by, by line id */
  lowered: Map<number, number>
  /** Units an approved stocktake's variance took off already, to put back */
  restored: { productId: number; quantity: number; stocktakeId: number; note: string }[]
}

export function noCorrections(): CountCorrections {
  return { lowered: new Map(), restored: [] }
}

/**
 * Puts right the counts of one synced sale's products saved after the sale was made: every one
 * still counting (each was saved against stock without the sale), and the first approved one (its
 * variance took the units off; later approved counts were saved after it had). Returns the units
 * put back per product (to take off the sale's stock change)
 */
export function correctCountsAfter(corrections: CountCorrections, lines: CountLine[], sale: { number: number; madeAt: number; units: Map<number, number> }) {
  const putBack = new Map<number, number>()
  for (const [productId, quantity] of sale.units) {
    const after = lines.filter((line) => line.productId === productId && line.countedAt > sale.madeAt)
    for (const line of after.filter((l) => !l.approved)) corrections.lowered.set(line.id, (corrections.lowered.get(line.id) ?? 0) + quantity)
    const approved = after.find((line) => line.approved)
    if (!approved) continue
    const note = `Stocktake "${approved.stocktakeName}" counted after offline sale #${sale.number} was made: its variance took these off already`
    corrections.restored.push({ productId, quantity, stocktakeId: approved.stocktakeId, note: note.slice(0, 255) })
    putBack.set(productId, quantity)
  }
  return putBack
}

/** The writes of the corrections: the lowered lines, and the put-back movements (their stock is in the sale's stock change) */
export function countCorrectionStatements(storeId: number, userId: number, corrections: CountCorrections): Statement[] {
  const statements: Statement[] = [...corrections.lowered].map(([lineId, quantity]) => ({
    sql: 'UPDATE stocktake_lines SET counted_at_stock = counted_at_stock - ? WHERE id = ?',
    bindings: [quantity, lineId],
  }))
  if (corrections.restored.length) {
    const now = dbTimestamp()
    statements.push(
      insertStatement(
        'stock_movements',
        corrections.restored.map((r) => ({ store_id: storeId, product_id: r.productId, quantity: r.quantity, reason: 'count', user_id: userId, note: r.note, document_type: 'stocktake', document_id: r.stocktakeId, created_at: now }))
      )
    )
  }
  return statements
}
