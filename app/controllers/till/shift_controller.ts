import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ShiftService from '#shifts/shift_service'
import TillScreenService from '#sales/till_screen_service'
import { denominationsFor } from '#shifts/denominations'
import { parseMoney } from '#core/money'
import { DomainError } from '#exceptions/domain_error'
import { cashMovementFormValidator, closeShiftFormValidator, openShiftFormValidator } from '#validators/shifts'
import { actorOf } from '#staff/actor'
import { submitOnce } from '#platform/form_submissions'

/** The till's shift screens: open with a float, cash in/out and no-sale, X report, close with the count */
@inject()
export default class ShiftController {
  constructor(
    private shifts: ShiftService,
    private screen: TillScreenService
  ) {}

  async show(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) return ctx.response.redirect('/till')
    const shift = await this.shifts.current(ctx.store.id, register.id)
    if (!shift) return ctx.response.redirect('/till/shift/open')
    const { figures } = await this.shifts.xReport(ctx.store.id, ctx.store.currency, shift.id)
    return ctx.view.render('till/shift', { register, shift, figures, store: ctx.store })
  }

  async create(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) return ctx.response.redirect('/till')
    if (await this.shifts.current(ctx.store.id, register.id)) return ctx.response.redirect('/till')
    return ctx.view.render('till/shift_open', { register, denominations: denominationsFor(ctx.store.currency) })
  }

  async store(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) return ctx.response.redirect('/till')
    const input = await ctx.request.validateUsing(openShiftFormValidator)
    return submitOnce(ctx, async () => {
      await this.shifts.open(actorOf(ctx), register.id, {
        counts: input.float_counts ?? null,
        amount: this.#money(ctx, input.float, 'float'),
      })
      ctx.session.flash('notice', `${register.name} is open`)
      return '/till'
    })
  }

  async movement(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(cashMovementFormValidator)
    return submitOnce(ctx, async () => {
      const shift = await this.#openShift(ctx, input.shift_id)
      const amount = input.kind === 'no_sale' ? null : this.#money(ctx, input.amount, 'amount')
      // Left empty: asked for (the service's "more than zero" read as if something were typed)
      if (input.kind !== 'no_sale' && amount === null) throw new DomainError('Enter the amount', { code: 'invalid_amount', field: 'amount' })
      await this.shifts.recordMovement(actorOf(ctx), shift.id, input.kind, amount, input.reason ?? null)
      const done = { cash_in: 'Cash in recorded', cash_out: 'Cash out recorded', no_sale: 'Drawer opened (no sale)' }[input.kind]
      ctx.session.flash('notice', done)
      return '/till/shift'
    })
  }

  async closeForm(ctx: HttpContext) {
    const shift = await this.#openShift(ctx)
    return ctx.view.render('till/shift_close', { shift, denominations: denominationsFor(ctx.store.currency) })
  }

  async close(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(closeShiftFormValidator)
    return submitOnce(ctx, async () => {
      const shift = await this.#openShift(ctx, input.shift_id)
      await this.shifts.close(actorOf(ctx), shift.id, {
        counts: input.counts ?? null,
        amount: this.#money(ctx, input.amount, 'amount'),
      })
      return `/till/shift/${shift.id}/z`
    })
  }

  /** The Z report just written, to read and print at the till */
  async z(ctx: HttpContext) {
    await ctx.bouncer.authorize('readShiftReport', await this.shifts.find(ctx.store.id, Number(ctx.params.id) || 0))
    const report = await this.shifts.zReport(ctx.store.id, Number(ctx.params.id) || 0)
    return ctx.view.render('till/shift_z', { report, figures: report.figures, store: ctx.store })
  }

  /** The register's open shift; when the form names the shift it was drawn for, that one only */
  async #openShift(ctx: HttpContext, shown?: number) {
    const register = await this.screen.register(ctx)
    const shift = register ? await this.shifts.current(ctx.store.id, register.id) : null
    if (shown !== undefined && shift?.id !== shown) {
      throw new DomainError('This form was for a shift that is closed now: nothing was recorded. Open the shift screen again', { status: 409, code: 'shift_closed' })
    }
    // No field: the register is the till's own (chosen on the till), not a field of the form
    if (!shift) throw new DomainError('This register has no open shift: open one first', { status: 409, code: 'no_open_shift' })
    return shift
  }

  #money(ctx: HttpContext, text: string | null | undefined, field: string) {
    if (text === undefined || text === null || text === '') return null
    const amount = parseMoney(text, ctx.store.currency)
    if (amount === null) throw new DomainError('Enter an amount such as 12.50', { code: 'invalid_amount', field })
    return amount
  }
}
