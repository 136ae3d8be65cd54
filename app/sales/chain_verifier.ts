import database from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { refundHash, saleHash, voidHash } from '#core/sale_chain'

/*
| Walks each register's chain of completed sales, refunds and voids from its first record to
| registers.last_sale_hash, recomputing every hash from the rows as they are now. The first
| record whose content no longer matches its hash is named as altered; a link that leads
| nowhere names the gap (a record removed, or its link rewritten).
*/

export interface ChainRecord {
  kind: 'sale' | 'refund' | 'void'
  id: number
  label: string
  at: string
  previousHash: string | null
  hash: string
  /** The hash of the row's content as it is now */
  computed: string
}

export interface RegisterVerdict {
  registerId: number
  registerName: string
  storeId: number
  records: number
  ok: boolean
  problem: string | null
  /** The record named by the problem (altered, or the first one after a gap) */
  record: { kind: string; id: number } | null
}

/** Timestamps as written at completion: ISO 8601 in UTC with milliseconds */
function iso(value: unknown): string {
  if (value instanceof Date) return DateTime.fromJSDate(value).toUTC().toISO()!
  return DateTime.fromSQL(String(value), { zone: 'utc' }).toUTC().toISO()!
}

function groupBy<T>(rows: T[], key: (row: T) => number) {
  const map = new Map<number, T[]>()
  for (const row of rows) {
    const k = key(row)
    if (!map.has(k)) map.set(k, [])
    map.get(k)!.push(row)
  }
  return map
}

async function records(register: { id: number; name: string }, connection?: string): Promise<ChainRecord[]> {
  const db = database.connection(connection)
  const sales = await db.from('sales').where('register_id', register.id).whereNotNull('hash').orderBy('id')
  const items = groupBy(
    await db
      .from('sale_items')
      .join('sales', 'sales.id', 'sale_items.sale_id')
      .where('sales.register_id', register.id)
      .whereNotNull('sales.hash')
      .orderBy('sale_items.position')
      .orderBy('sale_items.id')
      .select('sale_items.sale_id', 'sale_items.product_id', 'sale_items.quantity', 'sale_items.unit_price', 'sale_items.total'),
    (r) => Number(r.sale_id)
  )
  const payments = groupBy(
    await db
      .from('payments')
      .join('sales', 'sales.id', 'payments.sale_id')
      .where('sales.register_id', register.id)
      .whereNotNull('sales.hash')
      .where('payments.status', 'approved')
      .orderBy('payments.id')
      .select('payments.sale_id', 'payments.method', 'payments.amount'),
    (r) => Number(r.sale_id)
  )
  const result: ChainRecord[] = []
  for (const sale of sales) {
    const label = `sale ${register.name} #${sale.number} (id ${sale.id})`
    let computed = saleHash(sale.previous_hash ?? null, {
      storeId: Number(sale.store_id),
      registerId: Number(sale.register_id),
      number: Number(sale.number),
      completedAt: iso(sale.completed_at),
      subtotal: Number(sale.subtotal),
      discountTotal: Number(sale.discount_total),
      taxTotal: Number(sale.tax_total),
      total: Number(sale.total),
      items: (items.get(Number(sale.id)) ?? []).map((i) => ({ productId: Number(i.product_id), quantity: Number(i.quantity), unitPrice: Number(i.unit_price), total: Number(i.total) })),
      payments: (payments.get(Number(sale.id)) ?? []).map((p) => ({ method: String(p.method), amount: Number(p.amount) })),
    })
    // A sale shown as voided must have its void in the chain
    if (sale.status === 'voided' && !sale.void_hash) computed = 'voided outside the chain'
    if (sale.status !== 'completed' && sale.status !== 'voided') computed = `status ${sale.status}`
    result.push({ kind: 'sale', id: Number(sale.id), label, at: iso(sale.completed_at), previousHash: sale.previous_hash ?? null, hash: sale.hash, computed })

    if (sale.void_hash) {
      let voidComputed = voidHash(sale.void_previous_hash ?? null, {
        storeId: Number(sale.store_id),
        registerId: Number(sale.register_id),
        saleId: Number(sale.id),
        saleHash: sale.hash ?? '',
        voidedAt: iso(sale.voided_at),
        voidedBy: Number(sale.voided_by),
        reason: String(sale.void_reason ?? ''),
      })
      if (sale.status !== 'voided') voidComputed = 'void undone'
      result.push({ kind: 'void', id: Number(sale.id), label: `void of ${label}`, at: iso(sale.voided_at), previousHash: sale.void_previous_hash ?? null, hash: sale.void_hash, computed: voidComputed })
    }
  }

  const refunds = await db.from('refunds').where('register_id', register.id).orderBy('id')
  const refundItems = groupBy(
    await db
      .from('refund_items')
      .join('refunds', 'refunds.id', 'refund_items.refund_id')
      .where('refunds.register_id', register.id)
      .orderBy('refund_items.id')
      .select('refund_items.*'),
    (r) => Number(r.refund_id)
  )
  const refundPayments = groupBy(
    await db
      .from('refund_payments')
      .join('refunds', 'refunds.id', 'refund_payments.refund_id')
      .where('refunds.register_id', register.id)
      .orderBy('refund_payments.id')
      .select('refund_payments.*'),
    (r) => Number(r.refund_id)
  )
  for (const refund of refunds) {
    const computed = refundHash(refund.previous_hash ?? null, {
      storeId: Number(refund.store_id),
      registerId: Number(refund.register_id),
      saleId: Number(refund.sale_id ?? 0),
      createdAt: iso(refund.created_at),
      reason: String(refund.reason),
      total: Number(refund.total),
      taxTotal: Number(refund.tax_total),
      items: (refundItems.get(Number(refund.id)) ?? []).map((i) => ({
        saleItemId: Number(i.sale_item_id ?? 0),
        productId: Number(i.product_id),
        quantity: Number(i.quantity),
        amount: Number(i.amount),
        restock: !!Number(i.restock),
      })),
      payments: (refundPayments.get(Number(refund.id)) ?? []).map((p) => ({ method: String(p.method), amount: Number(p.amount) })),
    })
    result.push({ kind: 'refund', id: Number(refund.id), label: `refund ${refund.id} (${refund.sale_id ? `of sale id ${refund.sale_id}` : 'without receipt'}) at ${register.name}`, at: iso(refund.created_at), previousHash: refund.previous_hash ?? null, hash: refund.hash, computed })
  }
  return result
}

/** Walks one register's chain from its first record to its head */
export function walkChain(all: ChainRecord[], head: string | null): { ok: boolean; problem: string | null; record: ChainRecord | null } {
  const byPrevious = new Map<string, ChainRecord[]>()
  for (const record of all) {
    const key = record.previousHash ?? ''
    if (!byPrevious.has(key)) byPrevious.set(key, [])
    byPrevious.get(key)!.push(record)
  }
  const visited = new Set<ChainRecord>()
  let expected = ''
  let last: ChainRecord | null = null
  for (;;) {
    const next = byPrevious.get(expected) ?? []
    if (next.length > 1) {
      return { ok: false, problem: `${next.map((r) => r.label).join(' and ')} both claim to follow ${last ? last.label : 'the start'}`, record: next[1] }
    }
    if (!next.length) break
    const record = next[0]
    if (record.computed !== record.hash) {
      return { ok: false, problem: `${record.label} was altered: its content no longer matches its hash`, record }
    }
    visited.add(record)
    last = record
    expected = record.hash
  }
  const unlinked = all.filter((r) => !visited.has(r)).sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id)
  if (unlinked.length) {
    const after = last ? `after ${last.label}` : 'at its start'
    return { ok: false, problem: `The chain breaks ${after}: a record before ${unlinked[0].label} was removed or its link was changed`, record: unlinked[0] }
  }
  if ((head ?? '') !== expected) {
    return { ok: false, problem: `The chain ends ${last ? `at ${last.label}` : 'at its start'}, but the register's last record is missing (removed after it)`, record: last }
  }
  return { ok: true, problem: null, record: null }
}

/** Verifies every register's chain (of one store, or of all; in a connection's database: a restored backup) */
export async function verifyChains(storeId?: number, connection?: string): Promise<RegisterVerdict[]> {
  const db = database.connection(connection)
  const registers = await db
    .from('registers')
    .if(storeId, (q) => q.where('store_id', storeId!))
    .orderBy('id')
    .select('id', 'name', 'store_id', 'last_sale_hash')
  const verdicts: RegisterVerdict[] = []
  for (const register of registers) {
    const all = await records({ id: Number(register.id), name: String(register.name) }, connection)
    const verdict = walkChain(all, register.last_sale_hash ?? null)
    verdicts.push({
      registerId: Number(register.id),
      registerName: String(register.name),
      storeId: Number(register.store_id),
      records: all.length,
      ok: verdict.ok,
      problem: verdict.problem,
      record: verdict.record ? { kind: verdict.record.kind, id: verdict.record.id } : null,
    })
  }
  return verdicts
}
