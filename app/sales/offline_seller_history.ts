import db from '@adonisjs/lucid/services/db'
import { rowTime } from '#platform/row_time'
import type { OfflineSale } from '#sales/offline_sale_check'
import type { Review } from '#sales/offline_sale_rows'

/*
| Who an offline sale's seller was when the sale was made, which the sync judges it by
| (offline_sync_service.ts): the till sold while the server was out of reach, so the person's role
| and active flag may have changed between the sale (money taken, goods gone) and its sync. What
| they were then is read from the audit log, which the back office writes in the same transaction
| as the change (staff_service.ts): user_role_changed {from, to} and user_deactivated. A sale made
| before a change is judged by the role of then and recorded, with a review and its audit entry
| saying it synced after the change; one stamped after it is judged by the role of after.
*/

/** The roles that sell (app/abilities/main.ts, `sell`) */
export const SELLING_ROLES = ['admin', 'manager', 'cashier']

/** A change of a person's role, when it was made (ms) */
export type RoleChange = { at: number; from: string; to: string }

/** A person named as an offline sale's seller: their role now, its changes oldest first, their deactivation (null while active) */
export interface SellerHistory {
  role: string
  name: string
  deactivatedAt: number | null
  roleChanges: RoleChange[]
}

/** What the seller was when the sale was made, and what changed since */
export interface SellerSince {
  /** Their role when the sale was made */
  role: string
  /** Their role changed after the sale was made: from the role then to the role now, first changed at */
  roleChanged: { from: string; to: string; at: number } | null
  /** Deactivated after the sale was made: their name, and when */
  deactivated: { name: string; at: number } | null
}

/** The person's role changes, oldest first (the audit log's user_role_changed) */
export async function roleChangesOf(userId: number): Promise<RoleChange[]> {
  const rows = await db.from('audit_logs').where({ action: 'user_role_changed', subject_type: 'user', subject_id: userId }).orderBy('created_at').orderBy('id').select('created_at', 'data')
  const changes: RoleChange[] = []
  for (const row of rows) {
    const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data
    const at = rowTime(row.created_at)?.toMillis()
    if (at !== undefined && typeof data?.from === 'string' && typeof data?.to === 'string') changes.push({ at, from: data.from, to: data.to })
  }
  return changes
}

/**
 * The seller as they were at `madeAt` (the sale's time by its till): the role of the first change
 * made after it (its `from`), or the role now when none was. A change at the very time of the sale
 * counts as before it, as a deactivation does. A time that is no date (refused by the checks) finds none.
 */
export function sellerSince(seller: SellerHistory, madeAt: number): SellerSince {
  const next = seller.roleChanges.find((change) => change.at > madeAt)
  return {
    role: next ? next.from : seller.role,
    roleChanged: next ? { from: next.from, to: seller.role, at: next.at } : null,
    deactivated: seller.deactivatedAt === null ? null : { name: seller.name, at: seller.deactivatedAt },
  }
}

/** The refusal of a sale whose seller's role then did not sell, or null */
export function roleRefusal(since: SellerSince) {
  if (SELLING_ROLES.includes(since.role)) return null
  return `This offline sale was refused: its seller was ${since.role === 'accountant' ? 'an accountant' : `a ${since.role}`} when it was made, who may not sell`
}

/** The reviews of a sale recorded after its seller changed: it was made while they could sell */
export function sinceReviews(sale: OfflineSale, since: SellerSince): Review[] {
  const detail = { sellerId: sale.user_id, completedAt: sale.completed_at }
  const reviews: Review[] = []
  if (since.deactivated) {
    reviews.push({ kind: 'seller_deactivated', message: `Sale #${sale.number} was made offline by ${since.deactivated.name}, deactivated before it synced`.slice(0, 255), detail })
  }
  if (since.roleChanged) {
    const { from, to, at } = since.roleChanged
    reviews.push({ kind: 'seller_role_changed', message: `Sale #${sale.number} was made offline as ${from}, synced after its seller was made ${to}`.slice(0, 255), detail: { ...detail, from, to, changedAt: iso(at) } })
  }
  return reviews
}

/** What the sale's audit entry (sale_completed) says of a change between the sale and its sync */
export function sinceAudit(since: SellerSince) {
  if (!since.roleChanged && !since.deactivated) return {}
  return {
    syncedAfter: {
      ...(since.roleChanged ? { roleChanged: { from: since.roleChanged.from, to: since.roleChanged.to, at: iso(since.roleChanged.at) } } : {}),
      ...(since.deactivated ? { deactivated: { at: iso(since.deactivated.at) } } : {}),
    },
  }
}

function iso(ms: number) {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null
}
