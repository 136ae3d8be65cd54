import type User from '#models/user'
import type Store from '#models/store'

/** Who does something, in which store, from where: what every domain's write is given */
export interface Actor {
  user: User
  store: Store
  ip?: string | null
}
