import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Sale from '#models/sale'
import CartService from '#sales/cart_service'
import TillScreenService from '#sales/till_screen_service'
import { currentSaleId, renderCart, requireRegister } from '#controllers/till/render_cart'
import { parkValidator } from '#validators/till'
import { actorOf } from '#staff/actor'

/** Parking a sale (the customer forgot something) and bringing it back later, on any till of the store */
@inject()
export default class ParkedSalesController {
  constructor(
    private cart: CartService,
    private screen: TillScreenService
  ) {}

  async index(ctx: HttpContext) {
    const parked = await Sale.query()
      .where({ store_id: ctx.store.id, status: 'parked' })
      .preload('user')
      .preload('register')
      .orderBy('parked_at', 'desc')
      .limit(50)
    return ctx.view.render('till/_parked', { parked })
  }

  async store(ctx: HttpContext) {
    const { note } = await ctx.request.validateUsing(parkValidator)
    const saleId = await currentSaleId(ctx, this.screen)
    await this.cart.park(actorOf(ctx), saleId, note ?? null)
    return renderCart(ctx, this.screen, undefined, { notice: 'Sale parked. Resume it from Parked sales.' })
  }

  async resume(ctx: HttpContext) {
    const register = await requireRegister(ctx, this.screen)
    const sale = await this.cart.resume(actorOf(ctx), Number(ctx.params.id), register.id)
    return renderCart(ctx, this.screen, sale, { clearMatches: true })
  }
}
