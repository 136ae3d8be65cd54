import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ParkedSaleService from '#sales/parked_sale_service'
import TillScreenService from '#sales/till_screen_service'
import { renderCart, requireRegister, shownCartId } from '#controllers/till/render_cart'
import { parkValidator } from '#validators/till'
import { actorOf } from '#staff/actor'

/** Parking a sale (the customer forgot something) and bringing it back later, on any till of the store */
@inject()
export default class ParkedSalesController {
  constructor(
    private parked: ParkedSaleService,
    private screen: TillScreenService
  ) {}

  async index(ctx: HttpContext) {
    return ctx.view.render('till/_parked', { parked: await this.parked.list(ctx.store.id) })
  }

  async store(ctx: HttpContext) {
    const { note } = await ctx.request.validateUsing(parkValidator)
    const saleId = await shownCartId(ctx, this.screen, 'Nothing was parked')
    await this.parked.park(actorOf(ctx), saleId, note ?? null)
    return renderCart(ctx, this.screen, undefined, { notice: 'Sale parked. Resume it from Parked sales.' })
  }

  async resume(ctx: HttpContext) {
    const register = await requireRegister(ctx, this.screen)
    const sale = await this.parked.resume(actorOf(ctx), Number(ctx.params.id), register.id)
    return renderCart(ctx, this.screen, sale, { clearMatches: true })
  }
}
