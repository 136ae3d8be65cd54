import db from '@adonisjs/lucid/services/db'
import type { Infer } from '@vinejs/vine/types'
import type User from '#models/user'
import type Store from '#models/store'
import { DomainError, notFound } from '#exceptions/domain_error'
import { DateTime } from 'luxon'
import { inTransaction } from '#platform/db_transaction'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { recordAudit } from '#platform/audit_service'
import { insertStatement, runStatements } from '#platform/sql_batch'
import RegisterLeaseService, { type LeaseAnswer } from '#sales/register_lease_service'
import type { handOverValidator } from '#validators/offline'
import { checkOfflineSale, type OfflineSale } from '#sales/offline_sale_check'
import { heldSaleProblem } from '#sales/held_sale_recorder'
import { heldSaleShown, looksTheSame, saleWithNumber } from '#sales/held_sale_comparison'

/*
| The review list of offline sales: what a sync recorded that a manager should look at, and the
| sales a till could not sync because its register sold elsewhere meanwhile (conflicts).
|
| The hand-off: a till whose sync hit a conflict stops syncing that register and holds its later
| offline sales (they are linked to the refused one). Once a manager has looked (marked the
| conflict reviewed, or released the register),
| the till hands them over here: each is kept whole as a conflict for review (never recorded,
| never renumbered, never dropped), the till clears them from its queue, and the register's lease
| is taken afresh with the register's own head, so the till sells (and numbers offline) again.
| Exactly once: a sale's client_uuid is kept once (offline_reviews' unique client_uuid + kind) and
| one already recorded as a sale is left alone, so a hand-off whose answer was lost is sent again
| harmlessly.
*/

export type HandOverRequest = Infer<typeof handOverValidator>

export type HandOverAnswer =
  | { state: 'waiting'; message: string }
  | { state: 'handed_over'; handed_over: string[]; recorded: string[]; lease: LeaseAnswer | null; lease_refused: string | null }

export default class OfflineReviewService {
  async list(storeId: number, resolved: boolean) {
    const query = db
      .from('offline_reviews as r')
      .leftJoin('sales as s', 's.id', 'r.sale_id')
      .leftJoin('registers as g', 'g.id', 'r.register_id')
      .where('r.store_id', storeId)
      .orderBy('r.id', 'desc')
      .limit(200)
      .select('r.id', 'r.kind', 'r.message', 'r.client_uuid', 'r.created_at', 'r.resolved_at', 'r.resolution', 'r.sale_id', 's.number as sale_number', 'g.name as register')
    const rows = await (resolved ? query.whereNotNull('r.resolved_at') : query.whereNull('r.resolved_at'))
    return rows.map((row) => ({ ...row, created_at: DateTime.fromJSDate(readTimestamp(row.created_at)) }))
  }

  /**
   * One review, for its page: a sale kept whole (a conflict) beside the sale that holds its number
   * on the server (held_sale_comparison.ts), and whether it can be recorded as it was kept
   */
  async detail(store: Store, id: number) {
    const review = await db
      .from('offline_reviews as r')
      .leftJoin('sales as s', 's.id', 'r.sale_id')
      .leftJoin('registers as g', 'g.id', 'r.register_id')
      .leftJoin('users as u', 'u.id', 'r.resolved_by')
      .where({ 'r.id': id, 'r.store_id': store.id })
      .select('r.*', 's.number as sale_number', 'g.name as register', 'u.name as resolved_by_name')
      .first()
    if (!review) throw notFound('This review')
    const shown = { ...review, created_at: DateTime.fromJSDate(readTimestamp(review.created_at)), resolved_at: review.resolved_at ? DateTime.fromJSDate(readTimestamp(review.resolved_at)) : null }
    if (review.kind !== 'conflict' || !review.detail) return { review: shown, held: null, onServer: null, same: false, problem: null }
    const sale = JSON.parse(review.detail) as OfflineSale
    // Its line totals as the server prices them, whether or not it can be recorded (its seller refused, say)
    const { priced } = await checkOfflineSale(sale, store).catch(() => ({ priced: null }))
    // Why it cannot be recorded, by the recording's own checks (what its Record button would answer)
    const { problem } = review.resolved_at ? { problem: null } : await heldSaleProblem(store, review, sale)
    const held = await heldSaleShown(sale, priced ? priced.lines.map((line) => line.total) : null)
    const onServer = await saleWithNumber(Number(review.register_id), sale.number)
    // The recorded sale itself is not "the sale that took its number"
    const holder = onServer && onServer.id !== Number(review.sale_id) ? onServer : null
    return { review: shown, held, onServer: holder, same: holder ? looksTheSame(held, holder) : false, problem: problem?.message ?? null }
  }

  async resolve(user: User, storeId: number, id: number) {
    const review = await db.from('offline_reviews').where({ id, store_id: storeId }).first()
    if (!review) throw notFound('This review')
    // Closed already (recorded as a new sale, dismissed): left as it is
    if (review.resolved_at) return
    await db.from('offline_reviews').where('id', id).whereNull('resolved_at').update({ resolved_at: dbTimestamp(), resolved_by: user.id, resolution: 'reviewed' })
    await recordAudit({ action: 'offline_review_resolved', storeId, userId: user.id, subjectType: 'offline_review', subjectId: id, data: { kind: review.kind, clientUuid: review.client_uuid } })
  }

  /** A till stopped by a conflict hands over the sales it holds for the register (see above) */
  async handOver(user: User, store: Store, input: HandOverRequest, ip?: string | null): Promise<HandOverAnswer> {
    const stranger = input.sales.findIndex((sale) => sale.register_id !== input.register_id || sale.device_id !== input.device_id)
    if (stranger >= 0) throw new DomainError('Every sale handed over must be of this register and this till', { code: 'handover_invalid', field: `sales.${stranger}` })
    return inTransaction(async (trx) => {
      // Under the register's lock: hand-offs of one register (two tabs, a resend) go one at a time
      const register = await trx.from('registers').where({ id: input.register_id, store_id: store.id }).forUpdate().select('id', 'name', 'lease_device_id').first()
      if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
      const conflict = await trx.from('offline_reviews').where({ client_uuid: input.conflict_uuid, kind: 'conflict', store_id: store.id, register_id: register.id }).select('resolved_at', 'detail').first()
      if (!conflict) throw new DomainError('The server knows no conflict of this sale on this register', { code: 'handover_unknown_conflict', field: 'conflict_uuid' })

      // A manager has looked: the conflict is marked reviewed, or the register was released (a
      // till holding a conflict does not take its lease again, so a free register was freed since)
      if (!conflict.resolved_at && register.lease_device_id) {
        if (register.lease_device_id === input.device_id) await trx.from('registers').where('id', register.id).update({ lease_seen_at: dbTimestamp(), lease_pending: input.pending })
        const number = conflictNumber(conflict.detail)
        return {
          state: 'waiting' as const,
          message: `Waiting for a manager to review the conflict of ${register.name}${number ? ` sale #${number}` : ''} under Offline sales (or to release the register); then this till hands over its held sales and takes the register afresh`,
        }
      }

      // A sale twice in the slice is kept once, as first sent (it broke the reviews' unique key: a 500)
      const seen = new Set<string>()
      const sales = input.sales.filter((sale) => !seen.has(sale.client_uuid) && !!seen.add(sale.client_uuid))
      const uuids = sales.map((sale) => sale.client_uuid)
      const recorded = new Set((await trx.from('sales').whereIn('client_uuid', uuids).select('client_uuid')).map((row) => String(row.client_uuid)))
      const kept = new Set((await trx.from('offline_reviews').whereIn('client_uuid', uuids).where('kind', 'conflict').select('client_uuid')).map((row) => String(row.client_uuid)))
      const fresh = sales.filter((sale) => !recorded.has(sale.client_uuid) && !kept.has(sale.client_uuid))
      if (fresh.length) {
        const now = dbTimestamp()
        await runStatements(trx, [
          insertStatement(
            'offline_reviews',
            fresh.map((sale) => ({
              store_id: store.id,
              register_id: register.id,
              sale_id: null,
              client_uuid: sale.client_uuid,
              kind: 'conflict',
              message: `${register.name} sale #${sale.number} made offline was held on its till behind a conflict and handed over: not recorded, kept whole for review.`,
              detail: JSON.stringify(sale),
              created_at: now,
              // No sender nor lease kept (sent_by, sent_lease): the sync never judged these sales'
              // names, and the lease at the hand-over is not the one they were made under (a
              // register released to free the till has none, and refused every one of them)
            }))
          ),
        ])
        await recordAudit(
          { action: 'offline_sales_handed_over', storeId: store.id, userId: user.id, subjectType: 'register', subjectId: register.id, data: { deviceId: input.device_id, conflictUuid: input.conflict_uuid, numbers: fresh.map((sale) => sale.number), clientUuids: fresh.map((sale) => sale.client_uuid) }, ip },
          trx
        )
      }

      // The last slice: the register afresh for this till (its head is the register's own), unless another till holds it now
      let lease: LeaseAnswer | null = null
      let leaseRefused: string | null = null
      if (input.last) {
        try {
          lease = await new RegisterLeaseService().takeWithin(trx, user, store, { device_id: input.device_id, register_id: register.id, pending: 0 }, ip)
        } catch (error) {
          if (!(error instanceof DomainError) || error.code !== 'register_leased') throw error
          leaseRefused = error.message
        }
      }
      return { state: 'handed_over' as const, handed_over: uuids.filter((uuid) => !recorded.has(uuid)), recorded: [...recorded], lease, lease_refused: leaseRefused }
    })
  }
}

/** The number of the sale a conflict review kept (its detail is the sale as the till sent it) */
function conflictNumber(detail: string | null): number | null {
  try {
    return Number(JSON.parse(detail ?? 'null')?.number) || null
  } catch {
    return null
  }
}
