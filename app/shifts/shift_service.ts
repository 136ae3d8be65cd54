import { DateTime } from 'luxon'
import Shift from '#models/shift'
import ZReport from '#models/z_report'
import type { Actor } from '#staff/actor'
import ShiftReportService from '#shifts/shift_report_service'
import type { ShiftFigures } from '#models/z_report'
import { countTotal, denominationsFor, MAX_CASH } from '#shifts/denominations'
import { affectedRows, inTransaction } from '#platform/db_transaction'
import { dbTimestamp } from '#platform/db_time'
import { recordAudit } from '#platform/audit_service'
import { formatMoney } from '#core/money'
import { DomainError, notFound } from '#exceptions/domain_error'
import { publish } from '#events/domain_events'
import RegisterLeaseService from '#sales/register_lease_service'

/*
| Shifts: a register is opened with a float, cash goes in and out with a reason, and the shift is
| closed with the drawer counted, which writes the Z report. The register row points at its open
| shift (checkout stamps completing sales with it under the register's row lock) and the unique
| shifts.open_register_id makes a second open shift on one register impossible.
*/

/** Cash counted note by note ({"<value in minor units>": pieces}) or as one amount */
export interface CashCount {
  counts?: Record<string, unknown> | null
  amount?: number | null
}

export type MovementKind = 'cash_in' | 'cash_out' | 'no_sale'

const DUPLICATE = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT'])

export default class ShiftService {
  constructor(private reports = new ShiftReportService()) {}

  async current(storeId: number, registerId: number) {
    return Shift.query().where({ store_id: storeId, open_register_id: registerId }).first()
  }

  async find(storeId: number, shiftId: number) {
    const shift = await Shift.query().where({ id: shiftId, store_id: storeId }).first()
    if (!shift) throw notFound('The shift')
    return shift
  }

  async open(actor: Actor, registerId: number, float: CashCount): Promise<Shift> {
    const { total, counts } = this.#count(actor.store.currency, float, 'float')
    try {
      return await inTransaction(async (trx) => {
        const register = await trx.from('registers').where({ id: registerId, store_id: actor.store.id }).forUpdate().first()
        if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
        if (register.open_shift_id) throw this.#alreadyOpen()
        const now = DateTime.utc().startOf('second')
        const shift = new Shift()
        shift.fill({
          storeId: actor.store.id,
          registerId,
          openRegisterId: registerId,
          status: 'open',
          openedBy: actor.user.id,
          openedAt: now,
          openingFloat: total,
          floatCounts: counts ? JSON.stringify(counts) : null,
        })
        await shift.useTransaction(trx).save()
        await trx.from('registers').where('id', registerId).update({ open_shift_id: shift.id })
        await recordAudit(
          { action: 'shift_opened', storeId: actor.store.id, userId: actor.user.id, subjectType: 'shift', subjectId: shift.id, data: { registerId, float: total }, ip: actor.ip },
          trx
        )
        return shift
      })
    } catch (error: any) {
      // The unique key answered for a till that opened the register at the same moment
      if (DUPLICATE.has(error?.code)) throw this.#alreadyOpen()
      throw error
    }
  }

  /** Cash in, cash out (a paid-out) or a drawer opened without a sale, on an open shift */
  async recordMovement(actor: Actor, shiftId: number, kind: MovementKind, amount: number | null, reason: string | null) {
    const why = reason?.trim() || null
    if (kind !== 'no_sale') {
      if (amount === null || !Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_CASH) {
        throw new DomainError('The amount must be more than zero and at most what a drawer holds', { code: 'invalid_amount', field: 'amount' })
      }
      if (!why) throw new DomainError(kind === 'cash_out' ? 'Say what the cash was paid out for' : 'Say where the cash comes from', { code: 'reason_required', field: 'reason' })
    }
    if (why && why.length > 255) throw new DomainError('The reason is too long (255 characters at most)', { code: 'reason_too_long', field: 'reason' })
    return inTransaction(async (trx) => {
      const shift = await Shift.query({ client: trx }).where({ id: shiftId, store_id: actor.store.id }).forUpdate().first()
      if (!shift) throw notFound('The shift')
      if (shift.status !== 'open') throw this.#closed()
      if (kind === 'cash_out') {
        const figures = await this.reports.figures(shift, actor.store.currency, trx)
        if (amount! > figures.cash.expected) {
          throw new DomainError(`The drawer should hold only ${formatMoney(figures.cash.expected, actor.store.currency)}`, {
            status: 409,
            code: 'not_enough_cash',
            field: 'amount',
          })
        }
      }
      const row = {
        shift_id: shift.id,
        store_id: actor.store.id,
        user_id: actor.user.id,
        kind,
        amount: kind === 'no_sale' ? 0 : amount!,
        reason: why,
        created_at: dbTimestamp(),
      }
      await trx.insertQuery().table('cash_movements').insert(row)
      await recordAudit(
        { action: `shift_${kind}`, storeId: actor.store.id, userId: actor.user.id, subjectType: 'shift', subjectId: shift.id, data: { amount: row.amount, reason: why }, ip: actor.ip },
        trx
      )
      return row
    })
  }

  /** Closes the shift with the drawer's count and writes its Z report, all or nothing */
  async close(actor: Actor, shiftId: number, count: CashCount): Promise<{ shift: Shift; report: ZReport }> {
    const { total, counts } = this.#count(actor.store.currency, count, 'counts', true)
    // Read before the transaction: its first statement must be the register's lock (below)
    const found = await this.find(actor.store.id, shiftId)
    // A till that sold offline on this register and said so has sales the Z would miss
    const unsynced = await new RegisterLeaseService().pendingSync(found.registerId)
    if (unsynced) throw new DomainError(unsynced, { status: 409, code: 'offline_sales_pending', field: 'counts' })
    const result = await inTransaction(async (trx) => {
      const shift = found
      // First the register: a sale completing right now holds this row lock, so it commits before
      // the figures are read (and a later one sees no open shift): the Z never misses a sale
      const released = await trx.from('registers').where({ id: shift.registerId, open_shift_id: shift.id }).update({ open_shift_id: null })
      if (affectedRows(released) === 0) throw this.#closed()
      await trx.from('registers').where('id', shift.registerId).increment('last_z_number', 1)
      const register = await trx.from('registers').where('id', shift.registerId).select('last_z_number').first()

      const closedAt = DateTime.utc().startOf('second')
      shift.merge({ status: 'closed', openRegisterId: null, closedBy: actor.user.id, closedAt, countedCash: total, countedCounts: counts ? JSON.stringify(counts) : null })
      await shift.useTransaction(trx).save()
      const figures = await this.reports.figures(shift, actor.store.currency, trx, closedAt.toJSDate())
      const report = new ZReport()
      report.fill({
        storeId: shift.storeId,
        registerId: shift.registerId,
        shiftId: shift.id,
        number: Number(register.last_z_number),
        salesCount: figures.sales.count,
        salesTotal: figures.sales.total,
        expectedCash: figures.cash.expected,
        countedCash: total,
        difference: figures.difference!,
        snapshot: JSON.stringify({ ...figures, number: Number(register.last_z_number), countedCounts: counts }),
      })
      await report.useTransaction(trx).save()
      await recordAudit(
        {
          action: 'shift_closed',
          storeId: actor.store.id,
          userId: actor.user.id,
          subjectType: 'shift',
          subjectId: shift.id,
          data: { z: report.number, expected: figures.cash.expected, counted: total, difference: figures.difference },
          ip: actor.ip,
        },
        trx
      )
      return { shift, report }
    })
    publish('shift:closed', { shiftId: result.shift.id, storeId: result.shift.storeId, registerId: result.shift.registerId })
    return result
  }

  /** The X report: the open (or closed) shift's figures read now */
  async xReport(storeId: number, currency: string, shiftId: number): Promise<{ shift: Shift; figures: ShiftFigures }> {
    const shift = await this.find(storeId, shiftId)
    const figures = await this.reports.figures(shift, currency)
    return { shift, figures }
  }

  async zReport(storeId: number, shiftId: number) {
    const report = await ZReport.query().where({ store_id: storeId, shift_id: shiftId }).preload('register').first()
    if (!report) throw notFound('The Z report')
    return report
  }

  #count(currency: string, count: CashCount, field: string, requireCounts = false) {
    const amount = count.amount
    const amountField = field === 'float' ? 'float' : 'amount'
    // The till's form posts every note's field, blank where nothing was counted: a count is a
    // filled one (a blank table with the float typed as an amount once opened with a float of 0)
    const filled = Object.entries(count.counts ?? {}).filter(([, pieces]) => pieces !== '' && pieces !== null && pieces !== undefined)
    if (filled.length) {
      const total = countTotal(currency, Object.fromEntries(filled), field === 'float' ? 'float_counts' : 'counts')
      if (amount !== null && amount !== undefined && amount !== total) {
        throw new DomainError(`The notes and coins counted make ${formatMoney(total, currency)}, not the amount entered: clear one of them`, { code: 'count_mismatch', field: amountField })
      }
      const counts = Object.fromEntries(filled.map(([k, v]) => [k, Number(v)]).filter(([, v]) => Number(v) > 0))
      return { total, counts }
    }
    // Closing is counted note by note where the currency has a table; an amount elsewhere
    if (requireCounts && denominationsFor(currency)) {
      throw new DomainError('Count the drawer note by note and coin by coin', { code: 'counts_required', field: 'counts' })
    }
    if (amount === null || amount === undefined) throw new DomainError('Enter the cash in the drawer', { code: 'amount_required', field: amountField })
    if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_CASH) {
      throw new DomainError('The amount must be a whole number of cents, not negative, and at most what a drawer holds', { code: 'invalid_amount', field: amountField })
    }
    return { total: amount, counts: null }
  }

  #alreadyOpen() {
    return new DomainError('This register already has an open shift', { status: 409, code: 'shift_open', field: 'register_id' })
  }

  #closed() {
    return new DomainError('This shift is closed', { status: 409, code: 'shift_closed' })
  }
}

