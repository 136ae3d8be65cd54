import type { HttpContext } from '@adonisjs/core/http'
import type Sale from '#models/sale'
import TillScreenService from '#sales/till_screen_service'
import { DomainError } from '#exceptions/domain_error'
import { ShownCartChanged, type CartRef } from '#sales/cart_service'

/**
 * The cart partial that every till action answers with (the same template the page includes),
 * or only what the change changed when the screen shows the cart as it was before it
 */
export async function renderCart(ctx: HttpContext, screen: TillScreenService, sale?: Sale, extra: Record<string, unknown> = {}) {
  const register = await requireRegister(ctx, screen)
  const state = sale ? await screen.state(ctx, sale, register) : await screen.cart(ctx, register)
  const changes = sale && !extra.notice ? screen.changesOnScreen(ctx, sale, state) : null
  if (changes) {
    // Every part of the answer is swapped in out of band; the panel itself stays
    ctx.response.header('HX-Reswap', 'none')
    return ctx.view.render('till/_cart_changes', { ...state, ...extra, changes })
  }
  return ctx.view.render('till/_cart', { ...state, ...extra })
}

export async function requireRegister(ctx: HttpContext, screen: TillScreenService) {
  const register = await screen.register(ctx)
  if (!register) throw noRegister()
  return register
}

/**
 * A change of the till's cart: of the one the page shows when it still is the register's open
 * cart (no round trip to find it), else of the register's current cart
 */
export async function changeCart<T>(ctx: HttpContext, screen: TillScreenService, change: (cart: CartRef) => Promise<T>): Promise<T> {
  const shown = screen.shownCart(ctx)
  if (shown) {
    try {
      const changed = await change(shown)
      screen.tookShownCart(ctx, shown)
      return changed
    } catch (error) {
      if (!(error instanceof ShownCartChanged)) throw error
    }
  }
  return change(await currentSaleId(ctx, screen))
}

/** The id of the register's cart, for actions on it */
export async function currentSaleId(ctx: HttpContext, screen: TillScreenService) {
  const saleId = await screen.currentCartId(ctx)
  if (saleId === null) throw noRegister()
  return saleId
}

/**
 * The id of the register's cart for an action on the sale the page shows as a whole (a payment, a
 * void, a park), refused (409, `notDone` says what was not done) when the page shows another cart
 * (its X-Cart-Id, public/js/app.js): a second click sent before the first one's answer was drawn,
 * a second tab of the till, a page from the browser's history. From such a page "Exact" paid the
 * next customer's sale with the amount of the one on screen (the change due was wrong), and Void
 * voided a sale no one saw. The page draws the register's cart again when it still shows the old one
 */
export async function shownCartId(ctx: HttpContext, screen: TillScreenService, notDone: string): Promise<number> {
  const saleId = await currentSaleId(ctx, screen)
  const shown = ctx.request.header('x-cart-id')
  if (shown === undefined || Number(shown) === saleId) return saleId
  ctx.response.header('HX-Trigger', JSON.stringify({ 'till:cart-moved-on': { saleId } }))
  throw new DomainError(`${notDone}: the sale on this screen was already paid, voided or parked (by a second click, or on another screen of this till)`, {
    status: 409,
    code: 'cart_moved_on',
  })
}

function noRegister() {
  return new DomainError('Choose this till\u2019s register first', { status: 409, code: 'no_register' })
}
