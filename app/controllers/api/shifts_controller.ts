import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Register from '#models/register'
import type Shift from '#models/shift'
import ShiftService from '#shifts/shift_service'
import { runIdempotent } from '#platform/idempotency_service'
import { cashMovementApiValidator, closeShiftApiValidator, currentShiftValidator, openShiftApiValidator } from '#validators/shifts'
import { DomainError } from '#exceptions/domain_error'
import { actorOf } from '#staff/actor'

export function shiftJson(shift: Shift) {
  return {
    id: shift.id,
    register_id: shift.registerId,
    status: shift.status,
    opened_by: shift.openedBy,
    opened_at: shift.openedAt.toUTC().toISO(),
    opening_float: shift.openingFloat,
    // A shift just opened has no value set for these yet (undefined, left out of the JSON)
    closed_by: shift.closedBy ?? null,
    closed_at: shift.closedAt ? shift.closedAt.toUTC().toISO() : null,
    counted_cash: shift.countedCash ?? null,
  }
}

@inject()
export default class ShiftsController {
  constructor(private shifts: ShiftService) {}

  /** The register's open shift, or null (register_id defaults to the store's first register) */
  async current(ctx: HttpContext) {
    await ctx.bouncer.authorize('runShift')
    const { register_id: registerId } = await ctx.request.validateUsing(currentShiftValidator, { data: ctx.request.qs() })
    const register = await this.#register(ctx.store.id, registerId)
    const shift = await this.shifts.current(ctx.store.id, register.id)
    return { data: shift ? shiftJson(shift) : null }
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.authorize('runShift')
    const body = await ctx.request.validateUsing(openShiftApiValidator)
    return runIdempotent(ctx, async () => {
      const register = await this.#register(ctx.store.id, body.register_id)
      const shift = await this.shifts.open(actorOf(ctx), register.id, { amount: body.float ?? null, counts: jsonCounts(body.float_counts, 'float_counts') })
      return { status: 201, body: shiftJson(shift) }
    })
  }

  async close(ctx: HttpContext) {
    await ctx.bouncer.authorize('runShift')
    await this.shifts.find(ctx.store.id, Number(ctx.params.id) || 0)
    const body = await ctx.request.validateUsing(closeShiftApiValidator)
    return runIdempotent(ctx, async () => {
      const { shift, report } = await this.shifts.close(actorOf(ctx), Number(ctx.params.id) || 0, {
        amount: body.amount ?? null,
        counts: jsonCounts(body.counts, 'counts'),
      })
      return { status: 200, body: { shift: shiftJson(shift), report: { kind: 'z', number: report.number, ...report.figures } } }
    })
  }

  async movement(ctx: HttpContext) {
    await ctx.bouncer.authorize('runShift')
    await this.shifts.find(ctx.store.id, Number(ctx.params.id) || 0)
    const body = await ctx.request.validateUsing(cashMovementApiValidator)
    return runIdempotent(ctx, async () => {
      const row = await this.shifts.recordMovement(actorOf(ctx), Number(ctx.params.id) || 0, body.kind, body.amount ?? null, body.reason ?? null)
      return { status: 201, body: { kind: row.kind, amount: row.amount, reason: row.reason } }
    })
  }

  /** The X report of an open shift (live), the Z report of a closed one (as written at close) */
  async report(ctx: HttpContext) {
    if (!(await ctx.bouncer.allows('runShift')) && !(await ctx.bouncer.allows('viewReports'))) {
      await ctx.bouncer.authorize('viewReports')
    }
    const shift = await this.shifts.find(ctx.store.id, Number(ctx.params.id) || 0)
    await ctx.bouncer.authorize('readShiftReport', shift)
    if (shift.status === 'closed') {
      const report = await this.shifts.zReport(ctx.store.id, shift.id)
      return { kind: 'z', number: report.number, ...report.figures }
    }
    const { figures } = await this.shifts.xReport(ctx.store.id, ctx.store.currency, shift.id)
    return { kind: 'x', number: null, ...figures }
  }

  async #register(storeId: number, registerId?: number) {
    const query = Register.query().where('store_id', storeId)
    const register = registerId ? await query.where('id', registerId).first() : await query.orderBy('id').first()
    if (!register) throw new DomainError('This register does not exist in your store', { code: 'unknown_register', field: 'register_id' })
    return register
  }
}

/**
 * Counts in a JSON body are numbers, as every number of the API is ("5" was taken as 5, while
 * the README promised a 422): the digits a form sends are the till's, not the API's
 */
function jsonCounts(counts: Record<string, unknown> | null | undefined, field: string) {
  for (const [key, pieces] of Object.entries(counts ?? {})) {
    if (pieces !== null && typeof pieces !== 'number') {
      throw new DomainError('A count is a number of pieces, such as 5', { code: 'invalid_count', field: `${field}.${key}` })
    }
  }
  return counts ?? null
}
