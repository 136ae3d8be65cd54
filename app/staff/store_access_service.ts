import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import Store from '#models/store'
import type User from '#models/user'
import { DomainError } from '#exceptions/domain_error'

/** The session key that keeps the store a manager or admin switched to */
export const STORE_SESSION_KEY = 'store_id'

/**
 * Who may work in another store than their home store on pages (the top bar's switcher): managers
 * and admins, by their role now. The ability switchStore (app/abilities/main.ts) and the store a
 * session works in (resolve) both ask this, so a role that may not switch keeps no switched store
 */
export function maySwitchStore(user: Pick<User, 'role'>) {
  return user.role === 'admin' || user.role === 'manager'
}

/**
 * Which store a request works on (ctx.store). A user works in their home store (users.store_id)
 * and in the stores store_users lists. The API may name one with an X-Store-Id header (403 for
 * a store the user does not belong to); on pages, managers and admins switch store and the choice
 * is kept in the session. Everything else reads ctx.store, so this is the one place it is decided.
 */
export default class StoreAccessService {
  async belongs(user: User, storeId: number) {
    if (user.storeId === storeId) return true
    return !!(await db.from('store_users').where({ user_id: user.id, store_id: storeId }).first())
  }

  /**
   * The installation's admins: active admins who work in every store. They alone manage what
   * serves every store (plugins, backups: app/abilities/main.ts), so a store someone makes is
   * theirs too (store_admin_service.ts)
   */
  async installationAdminIds(client: QueryClientContract = db.connection()): Promise<number[]> {
    const rows = await inEveryStore(client.from('users').where({ role: 'admin', active: true })).select('users.id')
    return rows.map((row) => Number(row.id))
  }

  /** Whether no store of the installation is outside the stores the user works in */
  async worksInEveryStore(user: User) {
    return !!(await inEveryStore(db.from('users').where('users.id', user.id)).select('users.id').first())
  }

  /**
   * Whether `user` works in a store that `actor` does not. An admin who set such a person's
   * password, email, role or active flag could sign in as them and reach that store: an admin of
   * one store took over the admin of every store, and with them the backups of all.
   */
  async worksBeyond(user: User, actor: User) {
    const [theirs, actors] = await Promise.all([this.storesOf(user), this.storesOf(actor)])
    const actorStores = new Set(actors.map((store) => store.id))
    return theirs.some((store) => !actorStores.has(store.id))
  }

  /** The stores a user may work in, by name */
  storesOf(user: User) {
    return Store.query()
      .where((q) => q.where('id', user.storeId ?? 0).orWhereIn('id', db.from('store_users').where('user_id', user.id).select('store_id')))
      .orderBy('name')
      .orderBy('id')
  }

  async resolve(ctx: HttpContext, user: User, viaApi: boolean): Promise<Store | null> {
    if (viaApi) {
      const header = ctx.request.header('x-store-id')
      if (header !== undefined && header !== '') {
        const storeId = Number(header)
        if (!Number.isSafeInteger(storeId) || storeId <= 0) {
          throw new DomainError('X-Store-Id must be a store id', { code: 'invalid_store', field: 'X-Store-Id' })
        }
        if (!(await this.belongs(user, storeId))) {
          throw new DomainError('You do not work in this store', { status: 403, code: 'store_forbidden', field: 'X-Store-Id' })
        }
        return Store.find(storeId)
      }
    } else if ('session' in ctx) {
      const chosen = Number(ctx.session.get(STORE_SESSION_KEY)) || null
      if (chosen && chosen !== user.storeId) {
        // A choice the user may no longer make falls back to the home store, and is forgotten:
        // removed from that store, or made cashier or accountant since (a role that switches
        // no store). Until 2026-12-07 a manager made cashier went on working in the store they had
        // switched to, for as long as their session lasted
        if (maySwitchStore(user) && (await this.belongs(user, chosen))) {
          const store = await Store.find(chosen)
          if (store) return store
        }
        if (!ctx.session.readonly) ctx.session.forget(STORE_SESSION_KEY)
      }
    }
    // The sign-in read the home store with the user (access_token_provider.ts)
    if (user.storeId) return user.$preloaded.store !== undefined ? (user.store as Store | null) : Store.find(user.storeId)
    return (await this.storesOf(user).first()) ?? Store.query().orderBy('id').first()
  }

  /** Managers and admins switch the store their pages work on */
  async switchTo(ctx: HttpContext, user: User, storeId: number) {
    if (!(await this.belongs(user, storeId))) {
      throw new DomainError('You do not work in this store', { status: 403, code: 'store_forbidden', field: 'store_id' })
    }
    ctx.session.put(STORE_SESSION_KEY, storeId)
  }
}

/** The users of a query on `users` who work in every store: none is outside their home store and store_users */
function inEveryStore(users: ReturnType<QueryClientContract['from']>) {
  return users.whereNotExists((stores) =>
    stores
      .from('stores')
      .whereRaw('stores.id <> COALESCE(users.store_id, 0)')
      .whereNotExists((member) => member.from('store_users').whereRaw('store_users.store_id = stores.id').whereRaw('store_users.user_id = users.id'))
  )
}

/**
 * A query on `users` narrowed to the people who work in any of these stores: their home store,
 * or a store store_users lists (a manager added to a second store's staff is one of its people)
 */
export function worksIn<Query extends { where(callback: (q: any) => void): Query }>(users: Query, storeIds: number[]): Query {
  return users.where((q: any) => q.whereIn('users.store_id', storeIds).orWhereIn('users.id', db.from('store_users').whereIn('store_id', storeIds).select('user_id')))
}
