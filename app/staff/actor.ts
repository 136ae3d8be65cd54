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
   * holds a register's offline lease may sell on it online, any other is refused (register_lease_service.ts).
   * In small letters, as the lease keeps it (validators/offline.ts)
   */
  deviceId?: string | null
}

/** The header a till's page sends its device id in (public/js/app.js) */
export const TILL_DEVICE_HEADER = 'x-till-device'
/**
 * The cookie the offline till keeps it in too (resources/js/offline/till.js): a form posted before
 * htmx took it over (a Refund pressed as the page opens) carries no header, and was refused as
 * "held by another till", that is by this very one. Not a secret: it only matches the lease.
 */
export const TILL_DEVICE_COOKIE = 'pos_till_device'

/** The request's signed-in user, in its store, from its address and (a till's page) its device */
export function actorOf(ctx: HttpContext): Actor {
  const deviceId = ctx.request.header(TILL_DEVICE_HEADER) ?? ctx.request.cookiesList()[TILL_DEVICE_COOKIE] ?? null
  return { user: ctx.auth.user!, store: ctx.store, ip: ctx.request.ip(), deviceId: typeof deviceId === 'string' && deviceId ? deviceId.slice(0, 64).toLowerCase() : null }
}
