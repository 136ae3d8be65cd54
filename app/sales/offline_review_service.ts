import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { notFound } from '#exceptions/domain_error'
import { DateTime } from 'luxon'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { recordAudit } from '#platform/audit_service'

/** The review list of offline sales: what a sync recorded that a manager should look at */
export default class OfflineReviewService {
  async list(storeId: number, resolved: boolean) {
    const query = db
      .from('offline_reviews as r')
      .leftJoin('sales as s', 's.id', 'r.sale_id')
      .leftJoin('registers as g', 'g.id', 'r.register_id')
      .where('r.store_id', storeId)
      .orderBy('r.id', 'desc')
      .limit(200)
      .select('r.id', 'r.kind', 'r.message', 'r.client_uuid', 'r.created_at', 'r.resolved_at', 'r.sale_id', 's.number as sale_number', 'g.name as register')
    const rows = await (resolved ? query.whereNotNull('r.resolved_at') : query.whereNull('r.resolved_at'))
    return rows.map((row) => ({ ...row, created_at: DateTime.fromJSDate(readTimestamp(row.created_at)) }))
  }

  async resolve(user: User, storeId: number, id: number) {
    const review = await db.from('offline_reviews').where({ id, store_id: storeId }).first()
    if (!review) throw notFound('This review')
    await db.from('offline_reviews').where('id', id).update({ resolved_at: dbTimestamp(), resolved_by: user.id })
    await recordAudit({ action: 'offline_review_resolved', storeId, userId: user.id, subjectType: 'offline_review', subjectId: id, data: { kind: review.kind, clientUuid: review.client_uuid } })
  }
}
