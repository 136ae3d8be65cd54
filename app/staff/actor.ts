import type User from '#models/user'
import type Store from '#models/store'
import type { HttpContext } from '@adonisjs/core/http'

/** Who does something, in which store, from where: what every domain's write is given */
export interface Actor {
  user: User
  store: Store
  ip?: string | null
  /**
   * The till's browser (its offline device id, sent as the X-Till-Device header): the device that
   * holds a register's offline lease may sell on it online, any other is refused (register_lease_service.ts)
   */
  deviceId?: string | null
}

/** The header a till's page sends its device id in (public/js/app.js) */
export const TILL_DEVICE_HEADER = 'x-till-device'

/** The request's signed-in user, in its store, from its address and (a till's page) its device */
export function actorOf(ctx: HttpContext): Actor {
  return { user: ctx.auth.user!, store: ctx.store, ip: ctx.request.ip(), deviceId: ctx.request.header(TILL_DEVICE_HEADER) ?? null }
}
