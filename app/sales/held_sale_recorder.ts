import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import { DomainError, notFound } from '#exceptions/domain_error'
import { PricingRefusal } from '#core/pricing'
import type Store from '#models/store'
import type { Actor } from '#staff/actor'
import { inTransaction } from '#platform/db_transaction'
import { auditStatement } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { faultPoint } from '#platform/fault_injection'
import { runStatements } from '#platform/sql_batch'
import { lineAmounts, newCartLine } from '#core/cart_lines'
import { NewPayment, NewSale } from '#sales/new_sale'
import { completeSale, quantitiesByProduct, registerStatement, stockStatement } from '#sales/sale_completion'
import { publishCompleted, registerRow } from '#sales/checkout_rules'
import { checkOfflineSale, cleanReference, clockProblem, type OfflineSale, type PricedOfflineSale } from '#sales/offline_sale_check'
import { chunkedInsert, reviewRows, shiftOf } from '#sales/offline_sale_rows'
import { judgeSeller, sellerHistoryOf } from '#sales/offline_seller_history'
import { isNameRefusal, mayNameSeller } from '#sales/register_lease_service'
import { saleWithNumber } from '#sales/held_sale_comparison'

/*
| A sale made offline that the server could not record at its sync (a conflict: its number was taken
| on the register meanwhile, most often by the till's own online sale whose answer was lost) or that
| its till handed over behind one, is kept whole for review (offline_reviews, kind conflict). A
| manager settles it in one of two ways:
| - Record as a new sale: it is completed as any online sale (completeSale: the register's next
|   number and hash-chain link under its lock, its lines, payments, stock movements, audit and report
|   summaries in one transaction), dated when it was made (its summaries land on that day), in its
|   seller's name and, when it is still open, in the shift open then. The review is claimed first in
|   that transaction (resolved_at set where it was not), so a double click, two managers or a retry
|   make one sale; the second is told it was recorded already (409).
| - Dismiss as the same sale: the sale that took its number on the server is this very sale (its
|   answer was lost); the review is closed with that reason, nothing is recorded.
| A held sale is recorded as the sync would have: a product deleted since refuses it (naming the
| line), a product taken off sale or stock gone short does not (the goods are gone, the money taken);
| its seller and its seller's name are judged by the sync's own rules (heldSaleProblem). It keeps its
| till's client_uuid (a resend is answered with it), and one made in a shift closed since, or when
| none was open, is reviewed (shift_closed) as a late sync's is.
*/

/** The review's state after it is closed: reviewed (by hand), recorded (as a new sale), same_sale (dismissed) */
export type Resolution = 'reviewed' | 'recorded' | 'same_sale'

export default class HeldSaleRecorder {
  /** Records a held sale as a new sale of its register; answers the new sale's id and number */
  async record(actor: Actor, reviewId: number): Promise<{ saleId: number; number: number }> {
    const { review, held } = await this.#held(actor.store.id, reviewId)
    const { problem, priced } = await heldSaleProblem(actor.store, review, held)
    if (problem || !priced) throw new DomainError(`This sale cannot be recorded as it was kept: ${problem?.message ?? 'it does not add up'}`, { code: problem?.code ?? 'held_sale_invalid', field: problem?.field ?? 'hash' })

    const productIds = [...new Set(held.items.map((item) => item.product_id))]
    const sale = await inTransaction(async (trx) => {
      // Locks in the online order: the register, then products by id; the review's row after them
      const perProduct = quantitiesByProduct(held.items.map((item) => ({ productId: item.product_id, quantity: item.quantity })))
      const [registerRead, productsRead] = await runStatements(trx, [
        registerStatement(trx, actor.store.id, review.register_id, true),
        { sql: `SELECT id, name, sku FROM products WHERE store_id = ? AND id IN (${productIds.map(() => '?').join(', ')})`, bindings: [actor.store.id, ...productIds] },
      ])
      const register = registerRow(registerRead.rows[0])
      const products = new Map(productsRead.rows.map((row) => [Number(row.id), row]))
      const missing = held.items.findIndex((item) => !products.has(item.product_id))
      if (missing >= 0) {
        const item = held.items[missing]
        throw new DomainError(`Line ${missing + 1} (${item.name}): product ${item.product_id} was deleted since the sale was made, so this sale cannot be recorded. Keep the review, and record the sale by hand if it must be`, {
          code: 'unknown_product',
          field: `items.${missing}.product_id`,
        })
      }
      await refuseLeasedWithSales(trx, register.id, held)
      await refuseUuidTaken(trx, held, actor.store.id)
      await claim(trx, review.id, actor.user.id, 'recorded')
      // The stock moves whatever is left: the goods are gone (as a synced offline sale)
      const [stockMoved] = await runStatements(trx, [stockStatement({ allowNegativeStock: true }, perProduct)])

      const at = DateTime.fromISO(held.completed_at, { zone: 'utc' }).startOf('second')
      const sale = new NewSale({ storeId: actor.store.id, registerId: register.id, userId: held.user_id, customerId: null, channel: 'offline' })
      // Its till's UUID (unique): the till sending it again is answered with this sale (offline_sync_service.ts)
      Object.assign(sale, {
        clientUuid: held.client_uuid,
        deviceId: held.device_id,
        subtotal: held.subtotal,
        discountTotal: held.discount_total,
        taxTotal: held.tax_total,
        total: held.total,
        roundingTotal: held.rounding,
        cartDiscountType: held.cart_discount_type,
        cartDiscountValue: held.cart_discount_value,
      })
      const amounts = lineAmounts(priced)
      const items = held.items.map((item, index) => {
        const product = products.get(item.product_id)
        // A line is named by its product as the server has it (as a synced offline sale's)
        const line = newCartLine({ saleId: 0, productId: item.product_id, name: product.name, sku: product.sku, quantity: item.quantity, unitPrice: item.unit_price, taxClass: item.tax_class, position: index })
        return Object.assign(line, { listPrice: item.list_price, discountType: item.discount_type, discountValue: item.discount_value }, amounts[index])
      })
      const payments = held.payments.map((p) => {
        const cash = p.method === 'cash'
        const tendered = cash ? (p.tendered ?? p.amount) : null
        return new NewPayment({ storeId: actor.store.id, userId: held.user_id, method: p.method, amount: p.amount, tendered, change: cash ? tendered! - p.amount : 0, reference: cleanReference(p.reference), status: 'approved' })
      })
      sale.paidTotal = payments.reduce((sum, p) => sum + p.amount, 0)
      sale.changeDue = payments.reduce((sum, p) => sum + p.change, 0)
      const audits = [{ action: 'offline_sale_recorded', storeId: actor.store.id, userId: actor.user.id, data: { reviewId: review.id, clientUuid: held.client_uuid, heldNumber: held.number, sellerId: held.user_id, madeAt: held.completed_at }, ip: actor.ip }]
      const shift = await shiftThen(trx, held, actor.store.id, register)
      await completeSale(actor, sale, items, payments, trx, undefined, { register, stockMoved }, { audits, made: { at, shiftId: shift.id } })
      await trx.from('offline_reviews').where('id', review.id).update({ sale_id: sale.id })
      // Made in a shift closed since, or when none was open: reviewed as the sync reviews it (shift_closed)
      if (shift.review) await runStatements(trx, chunkedInsert('offline_reviews', reviewRows(actor.store.id, held, sale.id, [shift.review], new Set())))
      trx.after('commit', () => publishCompleted(sale, productIds, payments.map((p) => ({ method: p.method, amount: p.amount }))))
      return sale
    })
    // The crash test's "committed, but the manager never got the answer" (honoured only in tests)
    faultPoint('after_held_sale_commit')
    return { saleId: sale.id, number: sale.number! }
  }

  /** Closes a held sale's review as the same sale as the one that took its number (an answer lost): nothing recorded */
  async dismissAsSame(actor: Actor, reviewId: number) {
    const { review, held } = await this.#held(actor.store.id, reviewId)
    // Only a copy of a sale the server holds: a sale no other has the number of, dismissed, was a
    // sale paid that never reached the books (the page shows no Dismiss then; the server says so too)
    if (!(await saleWithNumber(Number(review.register_id), held.number))) {
      throw new DomainError(`No sale holds #${held.number} on this register: this sale is no copy of one. Record it as a new sale, or mark it reviewed`, { status: 409, code: 'not_a_copy', field: 'id' })
    }
    await inTransaction(async (trx) => {
      await claim(trx, review.id, actor.user.id, 'same_sale')
      await runStatements(trx, [
        auditStatement({
          action: 'offline_review_resolved',
          storeId: actor.store.id,
          userId: actor.user.id,
          subjectType: 'offline_review',
          subjectId: review.id,
          data: { kind: review.kind, clientUuid: held.client_uuid, heldNumber: held.number, resolution: 'same_sale', reason: 'the same sale as the one recorded with its number (its answer was lost)' },
          ip: actor.ip,
        }),
      ])
    })
  }

  /** The store's review of a sale kept whole (a conflict), still open, and the sale as its till sent it */
  async #held(storeId: number, reviewId: number) {
    const review = await db.from('offline_reviews').where({ id: reviewId, store_id: storeId }).first()
    if (!review) throw notFound('This review')
    if (review.kind !== 'conflict' || !review.detail) throw new DomainError('Only a sale kept whole for review (not recorded) can be recorded or dismissed', { status: 409, code: 'not_held', field: 'id' })
    await refuseClosed(review)
    return { review, held: JSON.parse(review.detail) as OfflineSale }
  }
}

/** The review closed already: by whom and how, as a 409 */
async function refuseClosed(review: { id: number; resolved_at: unknown; resolution?: string | null; sale_id: number | null }) {
  if (!review.resolved_at) return
  if (review.sale_id) {
    const sale = await db.from('sales').where('id', review.sale_id).select('number').first()
    throw new DomainError(`This sale was recorded already, as #${sale?.number}: it is not recorded twice`, { status: 409, code: 'review_closed', field: 'id' })
  }
  const how = review.resolution === 'same_sale' ? 'dismissed as the same sale as the one that took its number' : 'marked reviewed'
  throw new DomainError(`This review was ${how} already: nothing more is recorded from it`, { status: 409, code: 'review_closed', field: 'id' })
}

/**
 * Closes the review in the caller's transaction, only if it is still open: of two requests at once
 * (a double click, two managers, a retry) the second waits for the first's row lock, finds it
 * closed, and is refused with what became of it
 */
async function claim(trx: TransactionClientContract, reviewId: number, userId: number, resolution: Resolution) {
  const changed = await trx.from('offline_reviews').where('id', reviewId).whereNull('resolved_at').update({ resolved_at: dbTimestamp(), resolved_by: userId, resolution })
  if (Number(Array.isArray(changed) ? changed[0] : changed) === 1) return
  await refuseClosed((await trx.from('offline_reviews').where('id', reviewId).first())!)
}

/**
 * Recording moves the register's head. A till of the register that made this sale holds only sales
 * linked behind it (its queue stops at its conflict) and hands them over; but another till holding
 * the register with offline sales not synced yet would see every one of them conflict. It syncs first.
 */
async function refuseLeasedWithSales(trx: TransactionClientContract, registerId: number, held: OfflineSale) {
  const row = await trx.from('registers').where('id', registerId).select('name', 'lease_device_id', 'lease_pending').first()
  if (!row?.lease_device_id || row.lease_device_id === held.device_id || !Number(row.lease_pending)) return
  throw new DomainError(`${row.name} is held by another till that has ${row.lease_pending} offline sale(s) not synced yet: recording this sale now would make them conflict. Let that till sync, then record this sale`, {
    status: 409,
    code: 'register_leased',
    field: 'register_id',
  })
}

/**
 * The register's shift the sale was made in, if that one is still open, by the sync's own rule
 * (shiftOf): a sale made in a shift closed since is in none (the shift open now, which the till's
 * clock allowance let it into, counted a drawer that never held its cash), and is reviewed
 */
async function shiftThen(trx: TransactionClientContract, held: OfflineSale, storeId: number, register: { id: number; open_shift_id: number | null }) {
  const shifts = await trx
    .from('shifts')
    .where({ register_id: register.id, store_id: storeId })
    .where((query) => query.whereNull('closed_at').orWhere('closed_at', '>=', dbTimestamp(DateTime.fromISO(held.completed_at))))
    .orderBy('id')
    .select('id', 'opened_at', 'closed_at')
  return shiftOf(held, shifts, register.open_shift_id)
}

/**
 * A sale holds its UUID already (recorded by its till's sync since, somehow): not recorded twice.
 * The UUID is unique across stores: another store's sale is not named (nor its number said)
 */
async function refuseUuidTaken(trx: TransactionClientContract, held: OfflineSale, storeId: number) {
  const taken = await trx.from('sales').where('client_uuid', held.client_uuid).select('number', 'store_id').first()
  if (!taken) return
  const which = Number(taken.store_id) === storeId ? `, as #${taken.number}` : ''
  throw new DomainError(`A sale with this till's id for it was recorded already${which}: it is not recorded twice (dismiss it as the same sale if it is that one)`, { status: 409, code: 'client_uuid_recorded', field: 'id' })
}

/** Why a held sale cannot be recorded as it was kept (a clause for "cannot be recorded as it was kept: …"), with what a 422 names */
export type HeldSaleProblem = { message: string; code: string; field: string }

/**
 * Whether a held sale can be recorded as it was kept, judged as the sync judges a sale, with the
 * sync's own functions: its seller then (judgeSeller: of the store, not deactivated before it, in a
 * role that sold), its seller's name (mayNameSeller, with who sent it and the lease then: a sale a
 * till put in a manager's name is not recorded in it), its till's clock, and its amounts. The page
 * says the same before a manager clicks (offline_review_service.ts).
 */
export async function heldSaleProblem(store: Store, review: { message: string; sent_by?: number | null; sent_lease?: string | null }, held: OfflineSale): Promise<{ problem: HeldSaleProblem | null; priced: PricedOfflineSale | null }> {
  const seller = await sellerHistoryOf(store.id, held.user_id)
  const { refusal } = judgeSeller(seller, held)
  if (refusal) return { priced: null, problem: { message: refusal.why, code: 'seller_refused', field: 'user_id' } }
  // Kept before who sent it was kept (migration 0151): the sync's refusal of its name says so
  const named = review.sent_by ? mayNameSeller(held, Number(review.sent_by), JSON.parse(review.sent_lease ?? '{}')) : !isNameRefusal(review.message)
  if (!named) {
    return { priced: null, problem: { message: `it is in the name of ${seller!.name}, who was neither the user who sent it nor a user of the till that held the register when it was made (its till gave it a name it could not)`, code: 'seller_not_allowed', field: 'user_id' } }
  }
  // Its till's clock wrong (a day ahead, a year back): refused as the sync refused it, or it was
  // recorded on that day, in its summaries and the shift open now, and no report of today had it
  const wrongClock = clockProblem(held)
  if (wrongClock) return { priced: null, problem: { message: `${wrongClock}, by its till's wrong clock`, code: 'clock_wrong', field: 'completed_at' } }
  try {
    const { priced, problem } = await checkOfflineSale(held, store)
    return { priced: problem ? null : priced, problem: problem ? { message: problem.message, code: 'held_sale_invalid', field: problem.field } : null }
  } catch (error) {
    // A line the pricing itself refuses (a discount over its line), as the sync refuses it
    if (!(error instanceof PricingRefusal)) throw error
    return { priced: null, problem: { message: error.message, code: 'held_sale_invalid', field: error.field } }
  }
}
