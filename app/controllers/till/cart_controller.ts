import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import CartService from '#sales/cart_service'
import CatalogService from '#catalog/catalog_service'
import TillScreenService from '#sales/till_screen_service'
import AuthService from '#staff/auth_service'
import { parsePercent } from '#core/money'
import { DomainError, notFound } from '#exceptions/domain_error'
import { changeCart, renderCart, shownCartId } from '#controllers/till/render_cart'
import { tillAmount } from '#controllers/till/typed_amount'
import {
  addItemValidator,
  discountValidator,
  priceOverrideValidator,
  quantityValidator,
  removeValidator,
  scanValidator,
  searchValidator,
} from '#validators/till'
import { actorOf } from '#staff/actor'
import { filterId, TYPED_AMOUNT_WORDS } from '#validators/fields'
import type Sale from '#models/sale'

/** The form that sends a refused change again with a manager's PIN (till/_change_approval.edge) */
interface ApprovalForm {
  method: 'post' | 'patch'
  url: string
  fields: Record<string, string | number>
  label: string
}

/** The cashier's cart: every action answers with the cart partial (htmx swaps it in place) */
@inject()
export default class CartController {
  constructor(
    private cart: CartService,
    private catalog: CatalogService,
    private screen: TillScreenService,
    private auth: AuthService
  ) {}

  /**
   * A scanner's code + Enter adds the product; typed text that is no code shows matches. A scan
   * past what a manager approved (more goods under the discount) is refused with a PIN field that
   * sends the same scan again, the PIN in its body (#askApproval)
   */
  async scan(ctx: HttpContext) {
    const { code, pin } = await ctx.request.validateUsing(scanValidator)
    let sale: Sale | null
    try {
      const approver = await this.#approver(ctx, pin)
      sale = await changeCart(ctx, this.screen, (cart) => this.cart.addByCode(actorOf(ctx), cart, code, approver))
    } catch (error) {
      return this.#askApproval(ctx, error, async () => {
        const product = await this.catalog.findByCode(ctx.store.id, code)
        return { method: 'post', url: '/till/scan', fields: { code }, label: `Approve adding ${product?.name ?? code}` }
      })
    }
    if (sale) {
      // Without htmx (scripts not loaded yet) the form posted natively: show the whole till again
      if (!ctx.request.header('hx-request')) return ctx.response.redirect('/till')
      return renderCart(ctx, this.screen, sale, { clearMatches: true })
    }
    if (!ctx.request.header('hx-request')) return ctx.response.redirect('/till')
    const page = await this.catalog.search(ctx.store.id, { search: code, perPage: 8 })
    ctx.response.header('HX-Retarget', '#matches')
    ctx.response.header('HX-Reswap', 'innerHTML')
    return ctx.view.render('till/_matches', { products: page.all(), query: code })
  }

  async search(ctx: HttpContext) {
    const { code } = await ctx.request.validateUsing(searchValidator, { data: ctx.request.qs() })
    if (!code || code.length < 2) return ''
    const page = await this.catalog.search(ctx.store.id, { search: code, perPage: 8 })
    return ctx.view.render('till/_matches', { products: page.all(), query: code })
  }

  async grid(ctx: HttpContext) {
    // No category: every product; one that is not an id ("abc", a list) is said, not read as none
    const categoryId = filterId(ctx.request.qs().category) ?? null
    if (Number.isNaN(categoryId)) throw notFound('This category', 'category')
    const page = await this.catalog.search(ctx.store.id, { categoryId, perPage: 60 })
    return ctx.view.render('till/_grid', { products: page.all(), categoryId })
  }

  /** A product from the matches or the grid; refused past what a manager approved as a scan is */
  async add(ctx: HttpContext) {
    const { product_id: productId, quantity, pin } = await ctx.request.validateUsing(addItemValidator)
    let sale: Sale
    try {
      const approver = await this.#approver(ctx, pin)
      sale = await changeCart(ctx, this.screen, (cart) => this.cart.addProduct(actorOf(ctx), cart, productId, quantity ?? 1, approver))
    } catch (error) {
      return this.#askApproval(ctx, error, async () => {
        const product = await this.catalog.find(ctx.store.id, productId)
        const fields = { product_id: productId, quantity: quantity ?? 1 }
        return { method: 'post', url: '/till/items', fields, label: `Approve adding ${product?.name ?? 'this product'}` }
      })
    }
    return renderCart(ctx, this.screen, sale, { clearMatches: true })
  }

  async quantity(ctx: HttpContext) {
    const { quantity, pin } = await ctx.request.validateUsing(quantityValidator)
    return this.#lineChange(ctx, quantity, async () => {
      const approver = await this.#approver(ctx, pin)
      return changeCart(ctx, this.screen, (cart) => this.cart.setQuantity(actorOf(ctx), cart, Number(ctx.params.id), quantity, approver))
    })
  }

  async remove(ctx: HttpContext) {
    // A PIN only in the body: a DELETE's query is the address, which logs keep
    const { pin } = await ctx.request.validateUsing(removeValidator, { data: ctx.request.body() })
    return this.#lineChange(ctx, 0, async () => {
      const approver = await this.#approver(ctx, pin)
      return changeCart(ctx, this.screen, (cart) => this.cart.removeItem(actorOf(ctx), cart, Number(ctx.params.id), approver))
    })
  }

  /** A line's quantity or removal; a removal is sent again as quantity 0 (a PATCH: the PIN in its body) */
  async #lineChange(ctx: HttpContext, quantity: number, work: () => Promise<Sale>) {
    let sale: Sale
    try {
      sale = await work()
    } catch (error) {
      return this.#askApproval(ctx, error, async () => {
        const label = quantity ? `Approve quantity ${quantity}` : 'Approve removal'
        return { method: 'patch', url: `/till/items/${Number(ctx.params.id)}`, fields: { quantity }, label }
      })
    }
    return renderCart(ctx, this.screen, sale)
  }

  /**
   * A change (a scan, an added product, a quantity, a removal) that takes the discounts past what
   * is allowed, or came with a wrong PIN, answers a cashier with the message and a PIN field that
   * sends the same change again (`form`: how, read only then): a manager standing by approves it
   * on the spot (the scan field and a line's buttons have no room for a PIN field). The PIN goes in
   * the body of a POST or PATCH, never in an address (which logs keep). Any other error is thrown
   */
  async #askApproval(ctx: HttpContext, error: unknown, form: () => Promise<ApprovalForm>) {
    const approvable = error instanceof DomainError && ['manager_required', 'wrong_pin', 'pin_ambiguous', 'too_many_attempts'].includes(error.code ?? '')
    if (!approvable || ctx.auth.user!.isManager || !ctx.request.header('hx-request')) throw error
    ctx.response.header('HX-Retarget', '#till-message')
    ctx.response.header('HX-Reswap', 'innerHTML')
    if (error.retryAfter) ctx.response.header('Retry-After', String(error.retryAfter))
    const html = await ctx.view.render('till/_change_approval', { ...(await form()), message: error.message, pinError: error.code !== 'manager_required' })
    return ctx.response.status(error.status).send(html)
  }

  /** The manager whose PIN a cashier's change came with; none for a manager's own change, which needs none */
  async #approver(ctx: HttpContext, pin: string | null | undefined) {
    if (!pin || ctx.auth.user!.isManager) return null
    return this.auth.verifyPin(ctx.store.id, pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true })
  }

  async lineDiscount(ctx: HttpContext) {
    const { type, value, approver } = await this.#discount(ctx)
    const sale = await changeCart(ctx, this.screen, (cart) => this.cart.setLineDiscount(actorOf(ctx), cart, Number(ctx.params.id), type, value, approver))
    return renderCart(ctx, this.screen, sale)
  }

  async cartDiscount(ctx: HttpContext) {
    const { type, value, approver } = await this.#discount(ctx)
    const sale = await changeCart(ctx, this.screen, (cart) => this.cart.setCartDiscount(actorOf(ctx), cart, type, value, approver))
    return renderCart(ctx, this.screen, sale)
  }

  /** A line's discount form (GET), opened from the line */
  async discountForm(ctx: HttpContext) {
    return this.#lineForm(ctx, 'discount')
  }

  /** A line's price form (GET), opened from the line; a cashier's asks for a manager's PIN */
  async priceForm(ctx: HttpContext) {
    return this.#lineForm(ctx, 'price')
  }

  async #lineForm(ctx: HttpContext, kind: 'discount' | 'price') {
    const item = await this.screen.openCartLine(ctx, Number(ctx.params.id))
    if (!item) throw notFound('The line')
    return ctx.view.render('till/_line_form', { item, kind, currency: ctx.store.currency, canOverride: ctx.auth.user!.isManager })
  }

  /** A cashier needs a manager's PIN; a manager approves their own override */
  async overridePrice(ctx: HttpContext) {
    const { price, pin } = await ctx.request.validateUsing(priceOverrideValidator)
    const user = ctx.auth.user!
    let approver = user
    if (!user.isManager) {
      if (!pin) throw new DomainError('Enter a manager\u2019s PIN to change a price', { code: 'manager_required', field: 'pin' })
      approver = await this.auth.verifyPin(ctx.store.id, pin, ctx.request.ip(), { askedBy: ctx.auth.user!.id, managerOnly: true })
    }
    const unitPrice = tillAmount(ctx, price, 'price', 'invalid_price')!
    const sale = await changeCart(ctx, this.screen, (cart) => this.cart.overridePrice(actorOf(ctx), cart, Number(ctx.params.id), unitPrice, approver))
    return renderCart(ctx, this.screen, sale)
  }

  async void(ctx: HttpContext) {
    const saleId = await shownCartId(ctx, this.screen, 'Nothing was voided')
    const voided = await this.cart.voidCart(actorOf(ctx), saleId)
    return renderCart(ctx, this.screen, undefined, { notice: voided ? 'The sale was voided.' : 'The cart is empty: there is nothing to void.' })
  }

  /** The discount asked for, and the manager whose PIN came with it (needed past the store's limit) */
  async #discount(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(discountValidator)
    const approver = await this.#approver(ctx, input.pin)
    if (input.discount_type === 'none' || !input.discount_value) return { type: null, value: 0, approver }
    if (input.discount_type === 'percent') {
      // Read by money's rule with two decimals ("1,5" is 1.5 %), as the offline till reads it
      const points = parsePercent(input.discount_value)
      if (points === null) throw new DomainError(TYPED_AMOUNT_WORDS.discount_value, { code: 'invalid_discount', field: 'discount_value' })
      if (points > 10_000) throw new DomainError('A percent discount is at most 100', { code: 'invalid_discount', field: 'discount_value' })
      return { type: 'percent' as const, value: points, approver }
    }
    const value = tillAmount(ctx, input.discount_value, 'discount_value', 'invalid_discount')!
    return { type: 'amount' as const, value, approver }
  }
}
