import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Register from '#models/register'
import TillScreenService, { REGISTER_COOKIE } from '#sales/till_screen_service'
import RegisterLeaseService from '#sales/register_lease_service'
import { registerChoiceValidator } from '#validators/till'
import ShiftService from '#shifts/shift_service'
import { actorOf } from '#staff/actor'
import { paymentMethodLabel } from '#sales/payment_methods'

@inject()
export default class TillController {
  constructor(
    private screen: TillScreenService,
    private leases: RegisterLeaseService
  ) {}

  async show(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) return this.chooser(ctx)
    // No selling before the register's shift is opened with a float
    if (!(await new ShiftService().current(ctx.store.id, register.id))) return ctx.response.redirect('/till/shift/open')
    // Another till holding this register is said before the first scan (the holder's own page says nothing)
    const [state, categories, registerHeld] = await Promise.all([
      this.screen.cart(ctx, register),
      this.screen.categories(ctx.store.id),
      this.leases.heldElsewhere(register, actorOf(ctx).deviceId),
    ])
    const [lastSale, pending] = await Promise.all([
      state.items.length ? null : this.screen.lastCompletedSale(register.id),
      state.items.length ? this.screen.pendingGatewayPayment(state.sale.id) : null,
    ])
    const gatewayPayment = pending ? { payment: pending, label: paymentMethodLabel(pending.method) } : null
    return ctx.view.render('till/show', { ...state, categories, lastSale, registerHeld, gatewayPayment })
  }

  /** Which register is this? Asked on a new device, and on the way out of a register another till holds */
  async chooser(ctx: HttpContext) {
    const cookie = Number(ctx.request.cookie(REGISTER_COOKIE)) || null
    const registers = await this.leases.choices(ctx.store.id, actorOf(ctx).deviceId)
    return ctx.view.render('till/choose_register', { registers, currentId: cookie })
  }

  async chooseRegister(ctx: HttpContext) {
    const { register_id: registerId } = await ctx.request.validateUsing(registerChoiceValidator)
    await Register.query().where({ id: registerId, store_id: ctx.store.id }).firstOrFail()
    ctx.response.cookie(REGISTER_COOKIE, String(registerId), { maxAge: '400d', httpOnly: true, sameSite: 'lax' })
    return ctx.response.redirect('/till')
  }
}
