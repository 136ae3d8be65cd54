import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { dbTimestamp } from '#platform/db_time'
import { insertStatement, runStatements, type InsertedId, type Statement } from '#platform/sql_batch'

export interface AuditEntry {
  action: string
  storeId?: number | null
  userId?: number | null
  subjectType?: string
  /** An InsertedId when the subject is written in the same batch */
  subjectId?: number | InsertedId
  data?: Record<string, unknown>
  ip?: string | null
}

/** The audit log: sensitive actions, written in the same transaction as the change they record */
export async function recordAudit(entry: AuditEntry, client: QueryClientContract = db.connection()) {
  await runStatements(client, [auditStatement(entry)])
}

/** The INSERT of audit entries (one or more), for a caller that sends it along with other statements */
export function auditStatement(...entries: AuditEntry[]): Statement {
  return insertStatement(
    'audit_logs',
    entries.map((entry) => ({
      action: entry.action,
      store_id: entry.storeId ?? null,
      user_id: entry.userId ?? null,
      subject_type: entry.subjectType ?? null,
      subject_id: entry.subjectId ?? null,
      data: entry.data ? JSON.stringify(entry.data) : null,
      ip: entry.ip ?? null,
      created_at: dbTimestamp(),
    }))
  )
}
