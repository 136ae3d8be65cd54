import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Shift from '#models/shift'
import { DomainError } from '#exceptions/domain_error'
import { formatMoney } from '#core/money'
import type { Actor } from '#staff/actor'
import ShiftReportService from '#shifts/shift_report_service'

/*
| The drawer a refund pays cash from: the shift open on the refund's register. A refund is
| counted in that shift's Z report (refunds.shift_id). Cash paid back with no shift open was in
| no Z at all, and cash beyond what the drawer holds left it at minus (the Z said "expected
| -$7.85"): both are refused, as a cash out is (shift_service.ts). Money back on a card or in
| points needs no drawer.
*/

/** The cash a refund pays out of its tenders */
export function cashOf(tenders: { method: string; amount: number }[]) {
  return tenders.filter((tender) => tender.method === 'cash').reduce((sum, tender) => sum + tender.amount, 0)
}

/** Refuses cash back without an open shift on the register, or beyond what its drawer holds */
export async function checkDrawerPaysOut(trx: TransactionClientContract, actor: Actor, openShiftId: number | null, cash: number) {
  if (cash <= 0) return
  // Locked, as a cash out locks it: two payouts from one drawer wait for each other, and the second sees the first
  const shift = openShiftId ? await Shift.query({ client: trx }).where({ id: openShiftId, store_id: actor.store.id, status: 'open' }).forUpdate().first() : null
  if (!shift) {
    throw new DomainError('No shift is open on this register: open one before paying cash back (its drawer is counted in a shift)', { status: 409, code: 'no_open_shift', field: 'method' })
  }
  const figures = await new ShiftReportService().figures(shift, actor.store.currency, trx)
  if (cash > figures.cash.expected) {
    const holds = formatMoney(Math.max(0, figures.cash.expected), actor.store.currency)
    throw new DomainError(`The drawer should hold only ${holds}, not the ${formatMoney(cash, actor.store.currency)} to pay back: refund to another tender (a manager chooses it)`, {
      status: 409,
      code: 'not_enough_cash',
      field: 'method',
    })
  }
}
