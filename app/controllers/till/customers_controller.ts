import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import CartService from '#sales/cart_service'
import CustomerService from '#customers/customer_service'
import TillScreenService from '#sales/till_screen_service'
import { DomainError } from '#exceptions/domain_error'
import { changeCart, renderCart, requireRegister } from '#controllers/till/render_cart'
import { attachCustomerValidator, customerValidator, tillCustomerSearchValidator } from '#validators/customers'
import { actorOf } from '#staff/actor'

/** The sale's customer on the till: find one (name, email, phone), create one on the spot, or take them off */
@inject()
export default class TillCustomersController {
  constructor(
    private cart: CartService,
    private customers: CustomerService,
    private screen: TillScreenService
  ) {}

  /** The customer picker, shown in the till's matches area */
  async picker(ctx: HttpContext) {
    return ctx.view.render('till/_customer_picker')
  }

  async search(ctx: HttpContext) {
    const { q } = await ctx.request.validateUsing(tillCustomerSearchValidator, { data: ctx.request.qs() })
    if (!q || q.length < 2) return ''
    const page = await this.customers.search(ctx.store, { search: q, perPage: 8 })
    return ctx.view.render('till/_customer_matches', { customers: page.all(), query: q })
  }

  async attach(ctx: HttpContext) {
    const { customer_id: customerId } = await ctx.request.validateUsing(attachCustomerValidator)
    const sale = await changeCart(ctx, this.screen, (cart) => this.cart.setCustomer(actorOf(ctx), cart, customerId))
    return renderCart(ctx, this.screen, sale, { clearMatches: true })
  }

  /** Quick-create: a name (email and phone if the customer wants), attached to the sale at once */
  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(customerValidator)
    const register = await requireRegister(ctx, this.screen)
    const cart = await this.screen.currentCart(ctx, register)
    // Checked first, so a refused attach does not leave a customer created for nothing
    if (cart.paidTotal > 0) {
      throw new DomainError('Payments were taken: remove them before changing the customer', { status: 409, code: 'sale_has_payments' })
    }
    const customer = await this.customers.create(ctx.store, input)
    const sale = await this.cart.setCustomer(actorOf(ctx), cart.id, customer.id)
    return renderCart(ctx, this.screen, sale, { clearMatches: true })
  }

  async detach(ctx: HttpContext) {
    const sale = await changeCart(ctx, this.screen, (cart) => this.cart.setCustomer(actorOf(ctx), cart, null))
    return renderCart(ctx, this.screen, sale)
  }
}
