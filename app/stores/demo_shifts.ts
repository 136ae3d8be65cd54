import { DateTime, Settings } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import type { Actor } from '#staff/actor'
import ShiftService from '#shifts/shift_service'
import { denominationsFor } from '#shifts/denominations'

/*
| The demo's shifts: each register's day of sales is a shift, opened with a float before its first
| sale and closed after closing time with the drawer counted as expected, as a store's staff would
| (a week of Z reports to read). Cash goes into a register's drawer only while a shift is open there
| (sale_completion.ts), so the demo's cash sales need them. Each is opened and closed on the demo's
| clock (Luxon's Settings.now) set to its own moment.
*/

const FLOAT = 15_000

export class DemoShifts {
  #open = new Map<number, { id: number; day: string }>()
  #shifts = new ShiftService()

  constructor(
    private actor: Actor,
    private hours: { zone: string; opensAt: number; closesAt: number }
  ) {}

  /** The register's shift of the store day of `time`: an earlier day's closed, this day's opened before it opens */
  async before(registerId: number, time: DateTime) {
    const day = time.setZone(this.hours.zone).toISODate()!
    if (this.#open.get(registerId)?.day === day) return
    await this.close(registerId)
    await this.#start(registerId, day, DateTime.fromISO(day, { zone: this.hours.zone }).set({ hour: this.hours.opensAt }).minus({ minutes: 15 }))
  }

  /**
   * At the end: the first register open today (its shift of today kept, else one opened `now`) so
   * the demo till sells at once; the others closed (today's now, an earlier day's after its closing)
   */
  async finish(openRegisterId: number, otherIds: number[], now: DateTime) {
    const today = now.setZone(this.hours.zone).toISODate()!
    if (this.#open.get(openRegisterId)?.day !== today) {
      await this.close(openRegisterId)
      await this.#start(openRegisterId, today, now)
    }
    for (const registerId of otherIds) await this.close(registerId, this.#open.get(registerId)?.day === today ? now : undefined)
  }

  /** Closes the register's shift (after its day's closing, or `when`), the drawer counted note by note as expected */
  async close(registerId: number, when?: DateTime) {
    const open = this.#open.get(registerId)
    if (!open) return
    clock(when ?? DateTime.fromISO(open.day, { zone: this.hours.zone }).set({ hour: this.hours.closesAt, minute: 10 }))
    const { figures } = await this.#shifts.xReport(this.actor.store.id, this.actor.store.currency, open.id)
    await this.#shifts.close(this.actor, open.id, { counts: counted(this.actor.store.currency, figures.cash.expected) })
    await backdateAudit(open.id, (entries) => entries.whereNot('action', 'shift_opened'))
    this.#open.delete(registerId)
  }

  async #start(registerId: number, day: string, at: DateTime) {
    clock(at)
    const shift = await this.#shifts.open(this.actor, registerId, { amount: FLOAT })
    await backdateAudit(shift.id, (entries) => entries.where('action', 'shift_opened'))
    this.#open.set(registerId, { id: shift.id, day })
  }
}

/**
 * The shift's audit entries at the demo's clock: they are stamped with the real one (as the sales'
 * are, demo_store_service.ts), so a week of shifts showed in the log as opened and closed today
 */
async function backdateAudit(shiftId: number, which: (entries: ReturnType<typeof db.from>) => ReturnType<typeof db.from>) {
  await which(db.from('audit_logs').where({ subject_type: 'shift', subject_id: shiftId })).update({ created_at: dbTimestamp(DateTime.now()) })
}

function clock(at: DateTime) {
  const epoch = at.toMillis()
  Settings.now = () => epoch
}

/** An amount as the fewest notes and coins of the currency */
function counted(currency: string, amount: number) {
  const counts: Record<string, number> = {}
  let left = Math.max(0, amount)
  for (const { value } of denominationsFor(currency) ?? []) {
    const pieces = Math.floor(left / value)
    if (pieces > 0) counts[String(value)] = pieces
    left -= pieces * value
  }
  return counts
}
