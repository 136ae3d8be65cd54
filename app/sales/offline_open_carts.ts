import type { AuditEntry } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { rowTime } from '#platform/row_time'
import type { Statement } from '#platform/sql_batch'
import type { RecordedSale } from '#sales/offline_sale_rows'
import { completedAtOf } from '#sales/offline_sale_rows'

/*
| The online cart a till had open when it went offline (the database or the server gone while the
| cashier was ringing it up or taking payment). The offline screen starts empty, the cashier rings
| the goods again and sells them offline; the server still held the online cart, and once the till
| was back it showed that cart's lines again, unpaid: the next customer could be charged for them.
| When offline sales of a register are recorded, the register's open till cart of their seller or of
| the till holding the register, unpaid, with lines, and last changed before the first of them was
| made, is parked in the same transaction (nothing lost: Parked sales recalls it), with a note saying
| why and an audit entry. A cart changed after that (rung up once the till was back) is not touched;
| a batch sent again records nothing, so parks nothing.
*/

/** The register's open till carts, locked (before the register, as a payment at the till locks them), with whether they have lines or a payment on its way */
export function openCartsStatement(registerId: number, storeId: number, forUpdate: string): Statement {
  return {
    sql:
      'SELECT s.id, s.user_id, s.updated_at, s.note, ' +
      'EXISTS (SELECT 1 FROM sale_items i WHERE i.sale_id = s.id) AS has_lines, ' +
      "EXISTS (SELECT 1 FROM payments p WHERE p.sale_id = s.id AND p.status = 'pending') AS has_pending " +
      `FROM sales s WHERE s.register_id = ? AND s.store_id = ? AND s.status = 'open' AND s.channel = 'till' AND s.paid_total = 0 ORDER BY s.id${forUpdate}`,
    bindings: [registerId, storeId],
  }
}

interface Context {
  storeId: number
  registerId: number
  timeZone: string
  /** The device holding the register's lease (the till whose screen showed the register's cart) */
  leaseDeviceId: string | null
  userId: number
  ip?: string | null
}

/** The UPDATEs that park the carts left open when the till went offline, and their audit entries */
export function parkOpenCarts(rows: Record<string, any>[], recorded: RecordedSale[], context: Context): { statements: Statement[]; audits: AuditEntry[]; ids: number[] } {
  if (!recorded.length) return { statements: [], audits: [], ids: [] }
  const first = recorded.reduce((a, b) => (completedAtOf(b.sale).toMillis() < completedAtOf(a.sale).toMillis() ? b : a))
  // No later than now: a till clock ahead (such a sale is only reviewed, dated_ahead) would have the
  // cart rung up at this moment on the register count as left before it
  const madeAt = Math.min(completedAtOf(first.sale).toMillis(), Date.now())
  const sellers = new Set(recorded.map((r) => r.sellerId))
  const tillHeldIt = context.leaseDeviceId !== null && recorded.some((r) => r.sale.device_id === context.leaseDeviceId)
  const statements: Statement[] = []
  const audits: AuditEntry[] = []
  const now = dbTimestamp()
  for (const cart of rows) {
    const changedAt = rowTime(cart.updated_at)
    if (!Number(cart.has_lines) || Number(cart.has_pending) || !changedAt || !(changedAt.toMillis() < madeAt)) continue
    if (!tillHeldIt && !sellers.has(Number(cart.user_id))) continue
    const words = `Open when the till went offline (last changed ${changedAt.setZone(context.timeZone).toFormat('HH:mm')})`
    const note = (cart.note ? `${words} · ${cart.note}` : words).slice(0, 255)
    statements.push({ sql: "UPDATE sales SET status = 'parked', parked_at = ?, note = ?, updated_at = ? WHERE id = ?", bindings: [now, note, now, cart.id] })
    audits.push({
      action: 'offline_open_cart_parked',
      storeId: context.storeId,
      userId: context.userId,
      subjectType: 'sale',
      subjectId: Number(cart.id),
      data: { registerId: context.registerId, cartUserId: Number(cart.user_id), lastChangedAt: changedAt.toISO(), offlineSale: first.sale.client_uuid, offlineNumber: first.sale.number, offlineMadeAt: first.sale.completed_at },
      ip: context.ip,
    })
  }
  return { statements, audits, ids: audits.map((audit) => audit.subjectId as number) }
}
