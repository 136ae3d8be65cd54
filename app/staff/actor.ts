import type User from '#models/user'
import type Store from '#models/store'

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
