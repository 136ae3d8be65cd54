import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { PricingRefusal } from '#core/pricing'
import { DomainError } from '#exceptions/domain_error'
import type Store from '#models/store'
import type User from '#models/user'
import { inTransaction } from '#platform/db_transaction'
import { auditStatement, type AuditEntry } from '#platform/audit_service'
import { faultPoint } from '#platform/fault_injection'
import { insertedId, runStatements, type Statement } from '#platform/sql_batch'
import { stockStatement } from '#sales/sale_completion'
import { saleSummaryStatements } from '#sales/sale_summaries'
import { flatRateTax } from '#sales/flat_rate_tax'
import { checkOfflineSale, clockProblem, refusalStatus, registerConflictMessage, type OfflineSale, type PricedOfflineSale } from '#sales/offline_sale_check'
import { chunkedInsert, completedAtOf, datedAheadReview, datedBeforePreviousReview, discountReview, handoverReview, reviewRows, reviewsOf, rowStatements, saleInsert, shiftOf, unitsByProduct, type RecordedSale } from '#sales/offline_sale_rows'
import { judgeSeller, sellerHistoryOf, sinceAudit, sinceReviews, type SellerHistory, type SellerSince } from '#sales/offline_seller_history'
import { dbTimestamp } from '#platform/db_time'
import { rowTime } from '#platform/row_time'
import { publish } from '#events/domain_events'
import { leaseThen, mayNameSeller, NAME_REFUSAL, namedByTill } from '#sales/register_lease_service'
import { correctCountsAfter, countCorrectionStatements, countLines, countLinesStatement, noCorrections } from '#inventory/counts_after_offline_sales'
import { openCartsStatement, parkOpenCarts } from '#sales/offline_open_carts'

/*
| Recording the sales a till made while the server was out of reach (the offline till). The till
| sends its queue in batches of one register's sales, oldest first; each batch is one transaction
| of two round trips on MariaDB (the locking reads of the whole batch, then every write with the
| COMMIT), whatever its size; three when a sale lands in a month that is over (its marker's lock,
| product_months.ts).
| - Exactly once: a sale carries the UUID its till gave it (sales.client_uuid, unique); the same
|   UUID again answers with the sale recorded the first time, however often it arrives (in a later
|   batch, twice in one batch, from two tabs at once).
| - Numbers and the chain: the till numbered the sale and linked it to the previous one itself,
|   holding its register's lease; the server takes it only as the register's next number on top
|   of the register's last hash (the sales before it in the batch included). Anything else means
|   the register sold elsewhere meanwhile: the sale is refused (a conflict) and kept whole for a
|   manager (offline_reviews), never renumbered.
| - Checked like any sale: the cashier who made it works in the store, and was active and in a role
|   that sells when it was made (one deactivated or given another role since is named, and the sale
|   reviewed: offline_seller_history.ts);
|   its amounts and hash are what its lines make (offline_sale_check.ts). It is recorded in its
|   seller's name only if that is the user signed in to sync it or a user of the till holding the
|   register's lease when it was made (a manager may sign in on a cashier's till to send its queue:
|   the cashier's sales made before that are the cashier's; mayNameSeller, register_lease_service.ts);
|   a sale in anyone else's name (a cashier's sale put on a manager) is refused and kept like those below. One that fails (forged,
|   tampered, or made under settings changed since: a cash rounding, a cashier removed from the
|   store, a product deleted) is not recorded: it is written to the audit log and kept whole for a manager as a
|   conflict, so its till hands over the sales behind it, and no sale taken is lost.
| - The batch stops at the first sale refused or in conflict: the sales before it are recorded
|   (in the same transaction as that refusal's audit or review), those after it are not looked at
|   ("skipped": they are linked to it, and the till stops that register there).
| - A fact: it is recorded even if stock went negative meanwhile, or a price, a tax rate or the
|   product changed since the till's catalog copy; each such difference goes to the review list.
*/

export interface SyncActor {
  user: User
  store: Store
  ip?: string | null
}

export type SyncOutcome = 'recorded' | 'replayed' | 'conflict' | 'refused' | 'skipped'

/** What became of one sale of a batch */
export interface SyncResult {
  clientUuid: string
  outcome: SyncOutcome
  saleId?: number
  number?: number
  reviews?: string[]
  error?: { code: string; message: string; field: string; status?: number }
  /** Not recorded, but kept whole for a manager (a conflict, or a refusal of the checks): its till may hand over the sales behind it */
  kept?: boolean
  /** The carts parked because they were open when the till went offline (offline_open_carts.ts), on the batch's first sale recorded */
  parkedCarts?: number[]
}

type Earlier = { saleId: number; number: number; storeId: number; hash: string | null; reviews: string[] }
/** A sale not recorded before, as checked before the transaction: priced and its seller, or why it is refused */
type Checked = { sale: OfflineSale; priced: PricedOfflineSale | null; sellerId: number; sellerIsManager?: boolean; /** What changed of its seller between the sale and its sync (deactivated, another role) */ since?: SellerSince; refusal: { code: string; message: string; field: string; reason: string } | null }
/** A seller of the store, with their role's changes and deactivation (offline_seller_history.ts); null for one not of this store */
type Seller = SellerHistory | null

export default class OfflineSyncService {
  async record(actor: SyncActor, sales: OfflineSale[], retried = false): Promise<SyncResult[]> {
    if (sales.some((s) => s.register_id !== sales[0].register_id)) throw new DomainError('A batch holds the sales of one register', { code: 'mixed_registers', field: 'sales' })
    // Sent before (a lost answer, another tab): answered from the first record, with no transaction
    // when the whole batch was
    const earlier = await this.#recorded(sales.map((s) => s.client_uuid))
    if (sales.every((s) => earlier.has(s.client_uuid))) return withStatus(replays(actor.store.id, sales, earlier))

    const checked = new Map<string, Checked>()
    const sellers = new Map<number, Seller>()
    for (const sale of sales) {
      if (earlier.has(sale.client_uuid) || checked.has(sale.client_uuid)) continue
      checked.set(sale.client_uuid, await this.#check(actor, sale, sellers))
    }

    let outcome: { results: SyncResult[]; recorded: { sale: OfflineSale; saleId: number }[] }
    try {
      outcome = await inTransaction((trx) => this.#write(actor, sales, checked, trx))
    } catch (error: any) {
      // A sale of the batch committed by a concurrent request (two tabs): once more, it is then a replay
      const duplicate = error?.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed: sales\.client_uuid/.test(String(error?.message))
      if (duplicate && !retried) return this.record(actor, sales, true)
      throw error
    }
    if (outcome.recorded.length) {
      // The crash tests' "committed, but the till never got the answer" (honoured only in tests)
      faultPoint('after_offline_sale_commit')
      for (const { sale, saleId } of outcome.recorded) {
        publish('sale:completed', { saleId, storeId: actor.store.id, registerId: sale.register_id, number: sale.number, total: sale.total, productIds: [...new Set(sale.items.map((i) => i.product_id))], tenders: sale.payments.map((p) => ({ method: p.method, amount: p.amount })), madeOffline: true })
      }
    }
    return withStatus(outcome.results)
  }

  /** The sales of these UUIDs recorded before, with their reviews */
  async #recorded(clientUuids: string[]): Promise<Map<string, Earlier>> {
    const rows = await db.from('sales').whereIn('client_uuid', clientUuids).select('id', 'store_id', 'number', 'client_uuid', 'hash')
    if (!rows.length) return new Map()
    return earlierOf(rows, await db.from('offline_reviews').whereIn('client_uuid', rows.map((row) => row.client_uuid)).select('client_uuid', 'kind', db.raw(HELD_DETAIL)))
  }

  /** The sale priced by its lines, its amounts and hash checked, and its cashier allowed to sell here */
  async #check(actor: SyncActor, sale: OfflineSale, sellers: Map<number, Seller>): Promise<Checked> {
    if (!sellers.has(sale.user_id)) sellers.set(sale.user_id, await sellerHistoryOf(actor.store.id, sale.user_id, actor.user))
    // Its seller then: not of the store, deactivated before the sale, or in a role that did not sell
    const { refusal, since } = judgeSeller(sellers.get(sale.user_id) ?? null, sale)
    if (refusal) return { sale, priced: null, sellerId: sale.user_id, refusal: { code: 'offline_sale_invalid', field: 'user_id', message: `This offline sale was refused: ${refusal.why}`, reason: refusal.reason } }
    try {
      const { priced, problem } = await checkOfflineSale(sale, actor.store)
      if (problem) return { sale, priced: null, sellerId: sale.user_id, refusal: { code: 'offline_sale_invalid', field: problem.field, message: `This offline sale was refused: ${problem.message}`, reason: problem.message } }
      return { sale, priced, sellerId: sale.user_id, sellerIsManager: since.role !== 'cashier', since, refusal: null }
    } catch (error) {
      // A line the pricing itself refuses (a discount over its line): not a sale the till could make
      if (!(error instanceof PricingRefusal)) throw error
      return { sale, priced: null, sellerId: sale.user_id, refusal: { code: 'offline_sale_invalid', field: error.field, message: `This offline sale was refused: ${error.message}`, reason: error.message } }
    }
  }

  /**
   * Two round trips on MariaDB, as one online sale: the locking reads of the whole batch, then every
   * write with the COMMIT (sql_batch.ts); between them the markers of months that are over, if a
   * sale lands in one. Locks in the online order: the register's open till carts (offline_open_carts.ts;
   * a payment at the till takes its cart, then the register), the register, then products by id,
   * then markers.
   */
  async #write(actor: SyncActor, sales: OfflineSale[], checked: Map<string, Checked>, trx: TransactionClientContract) {
    const storeId = actor.store.id
    const registerId = sales[0].register_id
    const uuids = [...new Set(sales.map((s) => s.client_uuid))]
    const productIds = [...new Set([...checked.values()].filter((c) => !c.refusal).flatMap((c) => c.sale.items.map((i) => i.product_id)))].sort((a, b) => a - b)
    const forUpdate = trx.dialect.name === 'mysql' ? ' FOR UPDATE' : ''
    const marks = (values: unknown[]) => values.map(() => '?').join(', ')
    // A date the checks refuse (a 31st of February) is no bound
    const times = sales.map((sale) => Date.parse(sale.completed_at)).filter(Number.isFinite)
    const earliest = new Date(times.length ? Math.min(...times) : 0)
    const [cartsRead, registerRead, headRead, shiftsRead, salesRead, reviewsRead, productsRead, countsRead] = await runStatements(trx, [
      // The cart its till had open online when it went offline: parked below once its sales are
      // recorded. Locked before the register, as a payment at the till locks them
      openCartsStatement(registerId, storeId, forUpdate),
      { sql: `SELECT id, last_sale_number, last_sale_hash, open_shift_id, lease_device_id, lease_user_id, lease_prior_user_id, lease_prior_until FROM registers WHERE id = ? AND store_id = ?${forUpdate}`, bindings: [registerId, storeId] },
      // When the register's last sale was made: the next one dated well before it is reviewed
      { sql: 'SELECT sales.completed_at FROM sales JOIN registers ON registers.id = sales.register_id AND registers.last_sale_number = sales.number WHERE registers.id = ? AND registers.store_id = ?', bindings: [registerId, storeId] },
      // The register's shifts the sales may have been made in (a sale goes to the one open when it was made)
      { sql: 'SELECT id, opened_at, closed_at FROM shifts WHERE register_id = ? AND store_id = ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY id', bindings: [registerId, storeId, dbTimestamp(earliest)] },
      // The same sales committed while this batch waited for the register (two tabs, a retry): a
      // locking read sees them, and the first answers are given again
      { sql: `SELECT id, store_id, number, client_uuid, hash FROM sales WHERE client_uuid IN (${marks(uuids)})${forUpdate}`, bindings: uuids },
      { sql: `SELECT client_uuid, kind, ${HELD_DETAIL} FROM offline_reviews WHERE client_uuid IN (${marks(uuids)})`, bindings: uuids },
      ...(productIds.length
        ? [
            { sql: `SELECT id, name, sku, price, tax_class, stock, active, archived_at FROM products WHERE store_id = ? AND id IN (${marks(productIds)}) ORDER BY id${forUpdate}`, bindings: [storeId, ...productIds] },
            // Counts of these products saved after the earliest sale was made (counts_after_offline_sales.ts)
            countLinesStatement(storeId, productIds, earliest, forUpdate),
          ]
        : []),
    ])
    const register = registerRead.rows[0]
    if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
    const reviewed = new Map<string, Set<string>>(uuids.map((u) => [u, new Set()]))
    for (const row of reviewsRead.rows) reviewed.get(row.client_uuid)!.add(row.kind)
    const earlier = earlierOf(salesRead.rows, reviewsRead.rows)
    const products = new Map((productsRead?.rows ?? []).map((p) => [Number(p.id), p]))
    const stock = new Map([...products].map(([id, p]) => [id, Number(p.stock)]))
    const counts = countLines(countsRead?.rows ?? [])
    const corrections = noCorrections()
    const putBack = new Map<number, number>()
    const rates = await flatRateTax.ratesFor(storeId, trx)

    // The sales in the order sent, on the register's head as the ones before them leave it
    let head = { number: Number(register.last_sale_number), hash: (register.last_sale_hash ?? null) as string | null, madeAt: rowTime(headRead.rows[0]?.completed_at)?.toMillis() ?? null }
    const statements: Statement[] = []
    const audits: AuditEntry[] = []
    const reviews: Record<string, unknown>[] = []
    const recorded: RecordedSale[] = []
    const results: SyncResult[] = []
    const inBatch = new Map<string, RecordedSale>()
    let stopped = false
    // Not recorded: kept whole for a manager (offline_reviews), and the batch stops here. A sale
    // refused by the checks is kept too (as a conflict to review, so its till may hand over the
    // sales behind it): the till may have made it honestly under settings changed since (a cash
    // rounding, a cashier removed, a product deleted), and its money was taken
    const conflict = (sale: OfflineSale, why: { code: string; field: string; data: Record<string, unknown> }, message: string, outcome: 'conflict' | 'refused' = 'conflict') => {
      // Who sent it and the lease then: recording it later judges its seller's name as here (mayNameSeller)
      reviews.push(...reviewRows(storeId, sale, null, [{ kind: 'conflict', message, detail: sale }], reviewed.get(sale.client_uuid)!, { by: actor.user.id, lease: leaseThen(register) }))
      const action = outcome === 'conflict' ? 'offline_sale_conflict' : 'offline_sale_refused'
      audits.push({ action, storeId, userId: actor.user.id, subjectType: 'register', subjectId: registerId, data: { clientUuid: sale.client_uuid, number: sale.number, ...why.data }, ip: actor.ip })
      results.push({ clientUuid: sale.client_uuid, outcome, error: { code: why.code, message, field: why.field }, kept: true })
      stopped = true
    }
    for (const sale of sales) {
      const uuid = sale.client_uuid
      const before = earlier.get(uuid)
      if (stopped) results.push({ clientUuid: uuid, outcome: 'skipped' })
      else if (before) {
        results.push(replay(storeId, sale, before))
        stopped = results.at(-1)!.outcome === 'refused'
      }
      else if (inBatch.has(uuid)) {
        const first = inBatch.get(uuid)!
        results.push(first.sale.hash === sale.hash ? { clientUuid: uuid, outcome: 'replayed', number: sale.number, reviews: first.reviews.map((r) => r.kind) } : uuidReused(uuid))
        stopped = results.at(-1)!.outcome === 'refused'
      }
      else {
        const { priced, sellerId, sellerIsManager, since, refusal } = checked.get(uuid)!
        const expected = head.number + 1
        const unknown = sale.items.find((item) => !products.has(item.product_id))
        const wrongClock = clockProblem(sale)
        if (refusal) {
          conflict(sale, { code: refusal.code, field: refusal.field, data: { reason: refusal.reason, ...(refusal.field === 'user_id' ? { sellerId } : {}) } }, refusal.message, 'refused')
        } else if (!mayNameSeller(sale, actor.user.id, register)) {
          conflict(sale, { code: 'offline_sale_invalid', field: 'user_id', data: { reason: 'seller neither signed in nor holding the till', sellerId, tillUserId: register.lease_user_id ?? null, priorUserId: register.lease_prior_user_id ?? null } },
            NAME_REFUSAL, 'refused')
        } else if (sale.number !== expected || (sale.previous_hash ?? null) !== head.hash) {
          conflict(sale, { code: 'register_conflict', field: 'number', data: { expected } }, registerConflictMessage(sale, expected, register.lease_device_id ?? null))
        } else if (register.lease_device_id && register.lease_device_id !== sale.device_id) {
          // Another till holds the register: recording this sale would take the number its offline sales continue from
          conflict(sale, { code: 'register_leased', field: 'device_id', data: { deviceId: sale.device_id, holder: register.lease_device_id } },
            `Register sale #${sale.number} made offline cannot be recorded: another till holds this register for offline selling. The sale is kept for a manager to review.`)
        } else if (wrongClock) {
          conflict(sale, { code: 'clock_wrong', field: 'completed_at', data: { completedAt: sale.completed_at } },
            `Register sale #${sale.number} made offline cannot be recorded: ${wrongClock}. The till's clock is wrong; the sale is kept for a manager to review.`)
        } else if (unknown) {
          // A product deleted since the till's copy of the catalog was taken: kept for a manager too
          const message = `Product ${unknown.product_id} does not exist in this store`
          conflict(sale, { code: 'unknown_product', field: 'items', data: { reason: message } }, message, 'refused')
        } else {
          // A count saved after the sale was made, before it synced, took its units off already
          for (const [productId, units] of correctCountsAfter(corrections, counts, { number: sale.number, madeAt: completedAtOf(sale).toMillis(), units: unitsByProduct(sale) })) {
            putBack.set(productId, (putBack.get(productId) ?? 0) + units)
            stock.set(productId, stock.get(productId)! + units)
          }
          // The sale's own INSERT is statement N of the batch's writes: the rows below take its id from it
          const entry: RecordedSale = { sale, priced: priced!, sellerId, saleId: insertedId(statements.length), reviews: reviewsOf(sale, products, rates, stock) }
          const handedOver = namedByTill(sale, actor.user.id)
          if (!sellerIsManager || handedOver) entry.reviews.push(...discountReview(sale, actor.store.discountLimit))
          if (sellerIsManager && handedOver) entry.reviews.push(...handoverReview(sale))
          if (since) entry.reviews.push(...sinceReviews(sale, since))
          entry.reviews.push(...datedAheadReview(sale))
          entry.reviews.push(...datedBeforePreviousReview(sale, head.madeAt))
          const shift = shiftOf(sale, shiftsRead.rows, register.open_shift_id)
          if (shift.review) entry.reviews.push(shift.review)
          statements.push(saleInsert(storeId, shift.id, entry))
          audits.push({ action: 'sale_completed', storeId, userId: sellerId, subjectType: 'sale', subjectId: entry.saleId, data: { number: sale.number, total: sale.total, payment: sale.payments.at(-1)?.method, offline: true, syncedBy: actor.user.id, ...(since ? sinceAudit(since) : {}) }, ip: actor.ip })
          reviews.push(...reviewRows(storeId, sale, entry.saleId, entry.reviews, reviewed.get(uuid)!))
          recorded.push(entry)
          inBatch.set(uuid, entry)
          results.push({ clientUuid: uuid, outcome: 'recorded', number: sale.number, reviews: entry.reviews.map((r) => r.kind) })
          head = { number: sale.number, hash: sale.hash, madeAt: completedAtOf(sale).toMillis() }
        }
      }
    }

    // The sales' INSERTs first (statements 0..n-1), then their stock, in product id order
    const units = new Map<number, number>()
    for (const { sale } of recorded) for (const [productId, quantity] of unitsByProduct(sale)) units.set(productId, (units.get(productId) ?? 0) + quantity)
    for (const [productId, quantity] of putBack) units.set(productId, units.get(productId)! - quantity)
    const moved = new Map([...units].sort(([a], [b]) => a - b))
    const parked = parkOpenCarts(cartsRead.rows, recorded, { storeId, registerId, timeZone: actor.store.timeZone, leaseDeviceId: register.lease_device_id ?? null, userId: actor.user.id, ip: actor.ip })
    audits.push(...parked.audits)
    const answers = await runStatements(
      trx,
      [
        ...statements,
        ...(moved.size ? [stockStatement({ allowNegativeStock: true }, moved)] : []),
        ...rowStatements(storeId, recorded, products),
        ...countCorrectionStatements(storeId, actor.user.id, corrections),
        ...(recorded.length ? [{ sql: 'UPDATE registers SET last_sale_number = ?, last_sale_hash = ? WHERE id = ?', bindings: [head.number, head.hash, registerId] }] : []),
        ...parked.statements,
        ...(audits.length ? [auditStatement(...audits)] : []),
        ...chunkedInsert('offline_reviews', reviews),
        // Last, the report summaries of the days the sales were made (their own completed_at,
        // however late they sync), for days already rolled up: the store's marker, and a month's
        // that is over, are locked while this batch is built (app/sales/summary_days.ts)
        ...(recorded.length
          ? await saleSummaryStatements(
              trx,
              actor.store.timeZone,
              recorded.map(({ sale, priced, sellerId }) => ({ storeId, registerId, userId: sellerId, completedAt: completedAtOf(sale), total: sale.total, taxTotal: sale.tax_total, discountTotal: sale.discount_total, rounding: sale.rounding, lines: sale.items.map((item, i) => ({ productId: item.product_id, quantity: item.quantity, total: priced.lines[i].total, taxTotal: priced.lines[i].taxTotal })), payments: sale.payments })),
              1
            )
          : []),
      ],
      { commit: true }
    )
    const ids = new Map(recorded.map((entry) => [entry.sale.client_uuid, Number(answers[entry.saleId.in(statements)].insertId)]))
    // Not on a refusal of the same UUID with other content: that is not the sale recorded
    for (const result of results) if (ids.has(result.clientUuid) && result.outcome !== 'refused') result.saleId = ids.get(result.clientUuid)
    if (parked.ids.length) results.find((result) => result.outcome === 'recorded')!.parkedCarts = parked.ids
    return { results, recorded: recorded.map(({ sale }) => ({ sale, saleId: ids.get(sale.client_uuid)! })) }
  }
}

/** A held sale's review, recorded by a manager since (held_sale_recorder.ts): the sale as its till sent it */
const HELD_DETAIL = "CASE WHEN kind = 'conflict' AND sale_id IS NOT NULL THEN detail END AS held"

/**
 * The sales recorded before with their reviews, each with the hash its till sealed it with: a held
 * sale a manager recorded has its register's new link as its own, and the till's in its review, so
 * the till sending it again is answered with that sale (replayed), not refused as another sale
 */
function earlierOf(sales: any[], reviews: { client_uuid: string; kind: string; held: string | null }[]): Map<string, Earlier> {
  const found = new Map<string, Earlier>(sales.map((row) => [row.client_uuid, { saleId: Number(row.id), number: Number(row.number), storeId: Number(row.store_id), hash: row.hash ?? null, reviews: [] }]))
  for (const review of reviews) {
    const sale = found.get(review.client_uuid)
    if (!sale) continue
    sale.reviews.push(review.kind)
    if (review.held) sale.hash = JSON.parse(review.held).hash ?? sale.hash
  }
  return found
}

/** Each refused or conflicting sale says its own 4xx (refusalStatus) */
const withStatus = (results: SyncResult[]) => results.map((r) => (r.error ? { ...r, error: { ...r.error, status: refusalStatus(r.outcome, r.error) } } : r))

/** A batch sent whole before: every sale answered from its first record (the first of another store stops it) */
function replays(storeId: number, sales: OfflineSale[], earlier: Map<string, Earlier>): SyncResult[] {
  const results: SyncResult[] = []
  for (const sale of sales) results.push(results.at(-1)?.outcome === 'refused' || results.at(-1)?.outcome === 'skipped' ? { clientUuid: sale.client_uuid, outcome: 'skipped' } : replay(storeId, sale, earlier.get(sale.client_uuid)!))
  return results
}

function replay(storeId: number, sale: OfflineSale, before: Earlier): SyncResult {
  if (before.storeId !== storeId) return { clientUuid: sale.client_uuid, outcome: 'refused', error: { code: 'store_mismatch', message: 'This sale belongs to another store', field: 'client_uuid' } }
  if (before.hash !== sale.hash) return uuidReused(sale.client_uuid)
  return { clientUuid: sale.client_uuid, outcome: 'replayed', saleId: before.saleId, number: before.number, reviews: before.reviews }
}

/** A till seals a sale once: the same UUID with other content is not that sale sent again */
function uuidReused(clientUuid: string): SyncResult {
  return { clientUuid, outcome: 'refused', error: { code: 'client_uuid_reused', message: 'Another sale was recorded with this client_uuid', field: 'client_uuid' } }
}
