import db from '@adonisjs/lucid/services/db'
import UserModel from '#models/user'
import type User from '#models/user'
import { rowTime } from '#platform/row_time'
import StoreAccessService from '#staff/store_access_service'
import type { OfflineSale } from '#sales/offline_sale_check'
import type { Review } from '#sales/offline_sale_rows'

/*
| Who an offline sale's seller was when the sale was made, which the sync judges it by
| (offline_sync_service.ts), and so does recording a held sale later (held_sale_recorder.ts): the till sold while the server was out of reach, so the person's role
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

/** Why a sale whose seller's role then did not sell is refused (a clause: "its seller was …"), or null */
export function roleRefusal(since: SellerSince) {
  if (SELLING_ROLES.includes(since.role)) return null
  return `its seller was ${since.role === 'accountant' ? 'an accountant' : `a ${since.role}`} when it was made, who may not sell`
}

/**
 * Who may be named as an offline sale's seller here: a person of the store, active or deactivated
 * since (when: the latest user_deactivated of the audit log; none known, never), with their role's
 * changes, so that a sale is judged by the role its seller had when it was made (sellerSince).
 * `known`: a user already loaded (the one syncing), not read again.
 */
export async function sellerHistoryOf(storeId: number, userId: number, known?: User): Promise<SellerHistory | null> {
  const user = known?.id === userId ? known : await UserModel.find(userId)
  if (!user || !(await new StoreAccessService().belongs(user, storeId))) return null
  const roleChanges = await roleChangesOf(user.id)
  // Never a seller, then or now (an accountant all along): not a name an offline sale may carry
  if (!SELLING_ROLES.includes(user.role) && !roleChanges.some((change) => SELLING_ROLES.includes(change.from))) return null
  if (user.active) return { role: user.role, name: user.name, deactivatedAt: null, roleChanges }
  const last = await db.from('audit_logs').where({ action: 'user_deactivated', subject_type: 'user', subject_id: user.id }).max('created_at as at').first()
  return { role: user.role, name: user.name, deactivatedAt: rowTime(last?.at)?.toMillis() ?? Number.NEGATIVE_INFINITY, roleChanges }
}

/** A seller refused: why (a clause, "its cashier …"), and the audit's reason */
export type SellerRefusal = { why: string; reason: string }

/**
 * Whether an offline sale may be in its seller's name, by who they were when it was made: the one
 * rule of the sync (offline_sync_service.ts) and of recording a held sale (held_sale_recorder.ts).
 * `seller` is sellerHistoryOf's (null: not a seller of this store).
 */
export function judgeSeller(seller: SellerHistory | null, sale: { completed_at: string }): { refusal: SellerRefusal; since?: undefined } | { refusal: null; since: SellerSince } {
  if (!seller) return { refusal: { why: 'its cashier may not sell in this store', reason: 'seller not allowed' } }
  // A cashier deactivated after the sale was made (the till offline meanwhile) made it while they
  // could sell: it is recorded and reviewed. It was refused, and every later sale of its register
  // was held behind it and handed over, none recorded
  if (seller.deactivatedAt !== null && !(Date.parse(sale.completed_at) < seller.deactivatedAt)) {
    return { refusal: { why: 'its cashier was deactivated before it was made', reason: 'seller deactivated before the sale' } }
  }
  // Judged by the seller's role when the sale was made, not at its sync: a cashier made accountant
  // meanwhile sold while they could (recorded, and reviewed as synced after the change), one made
  // manager had a cashier's discount limit. Until 2026-12-07 the role at the sync decided: a cashier
  // made accountant had every sale refused, and all their register's later sales held behind them
  const since = sellerSince(seller, Date.parse(sale.completed_at))
  const notSelling = roleRefusal(since)
  if (notSelling) return { refusal: { why: notSelling, reason: 'seller role may not sell when the sale was made' } }
  return { refusal: null, since }
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
