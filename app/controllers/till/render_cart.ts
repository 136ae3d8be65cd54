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

function noRegister() {
  return new DomainError('Choose this till\u2019s register first', { status: 409, code: 'no_register' })
}
