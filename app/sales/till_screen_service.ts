import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { modelFromRow, runStatements } from '#platform/sql_batch'
import Register from '#models/register'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import Customer from '#models/customer'
import Sale from '#models/sale'
import CartService, { type ShownCart } from '#sales/cart_service'
import { actorOf } from '#staff/actor'
import CatalogService from '#catalog/catalog_service'
import { paymentMethods } from '#sales/payment_methods'
import { cashAmountDue } from '#core/pricing'
import { cartBeforeChange, cartLinesOf } from '#sales/cart_line_rows'
import { cartOnScreen, cartScreenChanges } from '#sales/cart_screen'

export const REGISTER_COOKIE = 'pos_register'

const registerOfRequest = new WeakMap<HttpContext, Promise<Register | null>>()

/**
 * What the till shows: the register this device is, its cart with lines and payments, what
 * is still due, and the quick cash amounts. The cart partial and the full page share it.
 */
export default class TillScreenService {
  constructor(
    private carts = new CartService(),
    private catalog = new CatalogService()
  ) {}

  /** The register this browser is set to (a signed cookie), or the store's only one; looked up once a request */
  register(ctx: HttpContext): Promise<Register | null> {
    let register = registerOfRequest.get(ctx)
    if (!register) {
      register = this.#findRegister(ctx)
      registerOfRequest.set(ctx, register)
    }
    return register
  }

  async #findRegister(ctx: HttpContext): Promise<Register | null> {
    const chosen = Number(ctx.request.cookie(REGISTER_COOKIE)) || null
    if (chosen) {
      const register = await Register.query().where({ id: chosen, store_id: ctx.store.id }).first()
      if (register) return register
    }
    const registers = await Register.query().where('store_id', ctx.store.id).orderBy('id').limit(2)
    return registers.length === 1 ? registers[0] : null
  }

  /**
   * The cart this till's page shows (the X-Cart-Id header, which public/js/app.js sends with each
   * htmx request) on the register its cookie names: a change takes it only when it still is that
   * register's open cart (CartService), else null: the register's cart is read
   */
  shownCart(ctx: HttpContext): ShownCart | null {
    const saleId = Number(ctx.request.header('x-cart-id'))
    const registerId = Number(ctx.request.cookie(REGISTER_COOKIE))
    if (!Number.isSafeInteger(saleId) || saleId < 1 || !Number.isSafeInteger(registerId) || registerId < 1) return null
    return { saleId, registerId }
  }

  /** The register a change of the shown cart read with it: this request's register, not read again */
  tookShownCart(ctx: HttpContext, shown: ShownCart) {
    registerOfRequest.set(ctx, Promise.resolve(modelFromRow(Register, shown.register!)))
  }

  /**
   * The id of the register's cart, read with the register in one round trip when this browser's
   * register cookie names one (every till action starts here); the cart is created when there is none
   */
  async currentCartId(ctx: HttpContext): Promise<number | null> {
    const chosen = Number(ctx.request.cookie(REGISTER_COOKIE)) || null
    if (chosen && !registerOfRequest.has(ctx)) {
      const [registerRead, cartRead] = await runStatements(db.connection(), [
        { sql: 'SELECT * FROM registers WHERE id = ? AND store_id = ?', bindings: [chosen, ctx.store.id] },
        this.carts.openCartStatement(chosen, 'id'),
      ])
      if (registerRead.rows[0]) {
        const register = modelFromRow(Register, registerRead.rows[0])
        registerOfRequest.set(ctx, Promise.resolve(register))
        return this.carts.currentCartId(actorOf(ctx), register.id, cartRead)
      }
    }
    const register = await this.register(ctx)
    return register ? (await this.currentCart(ctx, register)).id : null
  }

  /** A line of the register's open cart, for its discount or price form; null when it is no such line */
  async openCartLine(ctx: HttpContext, itemId: number): Promise<SaleItem | null> {
    const register = await this.register(ctx)
    if (!register || !Number.isSafeInteger(itemId) || itemId < 1) return null
    return SaleItem.query()
      .where('id', itemId)
      .whereIn('sale_id', db.from('sales').select('id').where({ register_id: register.id, store_id: ctx.store.id, status: 'open', channel: 'till' }))
      .first()
  }

  currentCart(ctx: HttpContext, register: Register) {
    return this.carts.currentCart(actorOf(ctx), register.id)
  }

  async cart(ctx: HttpContext, register: Register) {
    return this.state(ctx, await this.currentCart(ctx, register), register)
  }

  async state(ctx: HttpContext, sale: Sale, register: Register) {
    const [items, payments, customer] = await Promise.all([
      // A cart change hands over the lines it wrote (cart_line_rows.ts)
      cartLinesOf(sale) ?? (sale.$preloaded.items ? (sale.items as SaleItem[]) : SaleItem.query().where('sale_id', sale.id).orderBy('position')),
      // paid_total sums the approved payments: a cart with none needs no query
      sale.paidTotal > 0 ? Payment.query().where({ sale_id: sale.id, status: 'approved' }).orderBy('id') : [],
      sale.customerId ? Customer.find(sale.customerId) : null,
    ])
    const due = sale.balanceDue
    const cashDue = cashAmountDue(due, ctx.store.cashRounding)
    const onScreen = cartOnScreen(sale, items)
    return {
      sale,
      items,
      onScreen,
      cartVersion: onScreen.version,
      payments,
      customer,
      register,
      due,
      cashDue,
      quickAmounts: quickCashAmounts(cashDue),
      methods: paymentMethods(),
    }
  }

  /**
   * What a cart change changed on the screen that asked for it (its X-Cart-Version), when that
   * screen can take only those parts (app/sales/cart_screen.ts); else null: draw the whole panel
   */
  changesOnScreen(ctx: HttpContext, sale: Sale, state: Awaited<ReturnType<TillScreenService['state']>>) {
    const before = cartBeforeChange(sale)
    if (!before || !ctx.request.header('hx-request')) return null
    return cartScreenChanges(ctx.request.header('x-cart-version'), before, state.onScreen, state.items)
  }

  /**
   * The register's last completed sale, shown under an empty cart on the page: a till reloaded (or
   * a crashed browser opened again) while a payment was on its way showed an empty cart and no word
   * of whether the sale went through, and the cashier scanned it all again and took it twice
   */
  lastCompletedSale(registerId: number) {
    // By its number on the register (its chain's order), not its id: a parked sale resumed and
    // completed after a newer one keeps its older id
    return Sale.query().where({ register_id: registerId, status: 'completed' }).whereNotNull('number').orderBy('number', 'desc').first()
  }

  /**
   * The card payment the cart's terminal is still working on, drawn on the page in place of the
   * cart (till/_gateway_payment, polled as before): a till reloaded while the card was presented
   * showed the cart as if nothing were being charged, refused its changes ("a card payment is in
   * progress") without saying which, and nothing asked the terminal any more
   */
  pendingGatewayPayment(saleId: number) {
    return Payment.query().where({ sale_id: saleId, status: 'pending' }).whereNotNull('gateway').orderBy('id').first()
  }

  async categories(storeId: number) {
    return this.catalog.categories(storeId)
  }
}

/**
 * Exact, then the next round notes a customer is likely to hand over. A sale of nothing to pay has
 * Exact alone (0.00): the payment of nothing that completes it (it had no button, and Complete sale
 * with the field empty asked for the amount handed over)
 */
export function quickCashAmounts(due: number): number[] {
  if (due < 0) return []
  const amounts = new Set<number>([due])
  for (const step of [100, 500, 1000, 2000, 5000, 10000]) {
    const next = Math.ceil(due / step) * step
    if (next > due) amounts.add(next)
    if (amounts.size >= 4) break
  }
  return [...amounts].sort((a, b) => a - b).slice(0, 4)
}
