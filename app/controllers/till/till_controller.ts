import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Register from '#models/register'
import TillScreenService, { REGISTER_COOKIE } from '#sales/till_screen_service'
import { registerChoiceValidator } from '#validators/till'
import ShiftService from '#shifts/shift_service'

@inject()
export default class TillController {
  constructor(private screen: TillScreenService) {}

  async show(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) {
      const registers = await Register.query().where('store_id', ctx.store.id).orderBy('id')
      return ctx.view.render('till/choose_register', { registers })
    }
    // No selling before the register's shift is opened with a float
    if (!(await new ShiftService().current(ctx.store.id, register.id))) return ctx.response.redirect('/till/shift/open')
    const [state, categories] = await Promise.all([this.screen.cart(ctx, register), this.screen.categories(ctx.store.id)])
    const lastSale = state.items.length ? null : await this.screen.lastCompletedSale(register.id)
    return ctx.view.render('till/show', { ...state, categories, lastSale })
  }

  async chooseRegister(ctx: HttpContext) {
    const { register_id: registerId } = await ctx.request.validateUsing(registerChoiceValidator)
    await Register.query().where({ id: registerId, store_id: ctx.store.id }).firstOrFail()
    ctx.response.cookie(REGISTER_COOKIE, String(registerId), { maxAge: '400d', httpOnly: true, sameSite: 'lax' })
    return ctx.response.redirect('/till')
  }
}
