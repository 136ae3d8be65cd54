import { DateTime } from 'luxon'
import type { Readable } from 'node:stream'
import { csvStream } from '#platform/csv_writer'
import AuditLog from '#models/audit_log'
import type Store from '#models/store'
import { dbTimestamp } from '#platform/db_time'
import { auditDetails, auditDetailsText, type AuditDetail } from '#reports/audit_details'

export interface AuditFilters {
  action?: string | null
  userId?: number | null
  /** The store's calendar days, YYYY-MM-DD */
  from?: string | null
  to?: string | null
}

/*
| Reading the audit log: admins filter it by action, user and the store's days, and export it
| as CSV. Entries of the store, and sign-in failures that name no store (an unknown email).
| Their data is shown as key: value pairs with amounts in the store's currency (audit_details.ts);
| the CSV keeps the raw JSON for programs beside those details.
*/
export default class AuditLogService {
  query(store: Store, filters: AuditFilters) {
    const query = AuditLog.query().where((q) => q.where('store_id', store.id).orWhereNull('store_id'))
    if (filters.action) query.where('action', filters.action)
    if (filters.userId) query.where('user_id', filters.userId)
    if (filters.from) query.where('created_at', '>=', dbTimestamp(DateTime.fromISO(filters.from, { zone: store.timeZone }).startOf('day')))
    if (filters.to) query.where('created_at', '<=', dbTimestamp(DateTime.fromISO(filters.to, { zone: store.timeZone }).endOf('day')))
    return query.orderBy('id', 'desc')
  }

  async actions(store: Store): Promise<string[]> {
    const rows = await AuditLog.query().where((q) => q.where('store_id', store.id).orWhereNull('store_id')).distinct('action').orderBy('action')
    return rows.map((r) => r.action)
  }

  /** Each entry's details as people read them, by entry id */
  details(store: Store, entries: AuditLog[]): Record<number, AuditDetail[]> {
    return Object.fromEntries(entries.map((entry) => [entry.id, auditDetails(entry.action, entry.data, store.currency)]))
  }

  /** The CSV export, streamed through the CSV writer (which neutralises formula cells) */
  async csv(store: Store, filters: AuditFilters, userNames: Map<number, string>): Promise<Readable> {
    const rows = await this.query(store, filters).limit(100_000)
    return csvStream(
      ['id', 'time_utc', 'action', 'user_id', 'user', 'subject_type', 'subject_id', 'ip', 'data', 'details'],
      rows.map((r) => [
        r.id,
        r.createdAt?.toUTC().toISO() ?? '',
        r.action,
        r.userId ?? '',
        r.userId ? (userNames.get(r.userId) ?? '') : '',
        r.subjectType ?? '',
        r.subjectId ?? '',
        r.ip ?? '',
        r.data ? JSON.stringify(r.data) : '',
        auditDetailsText(r.action, r.data, store.currency),
      ]),
      { bom: true }
    )
  }
}
