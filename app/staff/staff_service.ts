import hash from '@adonisjs/core/services/hash'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User, { type Role } from '#models/user'
import type Store from '#models/store'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { identityChanged } from '#staff/identity_cache'
import StoreAccessService, { worksIn } from '#staff/store_access_service'
import { endLiveStreams, endSessions } from '#staff/sessions'

export interface StaffInput {
  name: string
  email: string
  role: Role
  password?: string | null
  pin?: string | null
  active: boolean
}

/**
 * The people who work in a store. Nobody is ever deleted (sales and the audit log point at
 * them): leaving is deactivation. Role changes and deactivations are audited.
 */
export default class StaffService {
  constructor(private access = new StoreAccessService()) {}

  async list(store: Store) {
    return User.query().where('store_id', store.id).orderBy('active', 'desc').orderBy('name')
  }

  async find(store: Store, id: unknown) {
    const user = await User.query().where({ id: Number(id) || 0, store_id: store.id }).first()
    if (!user) throw notFound('The user')
    return user
  }

  async create(store: Store, input: StaffInput, actor: User, ip?: string | null) {
    return inTransaction(async (trx) => {
      await this.#checkEmail(trx, input.email, null)
      if (input.pin) await this.#checkPin(trx, store, input.pin, null)
      const user = new User()
      user.useTransaction(trx)
      user.fill({
        storeId: store.id,
        name: input.name,
        email: input.email,
        role: input.role,
        password: input.password!,
        // Hashed by the model, which keeps its digest too (pinDigest)
        pin: input.pin || null,
        active: input.active,
      })
      await user.save()
      await recordAudit({ action: 'user_created', storeId: store.id, userId: actor.id, subjectType: 'user', subjectId: user.id, data: { role: user.role }, ip }, trx)
      return user
    })
  }

  async update(store: Store, user: User, input: StaffInput, actor: User, ip?: string | null) {
    if (user.id === actor.id && !input.active) {
      throw new DomainError('You cannot deactivate your own account', { code: 'cannot_deactivate_self', field: 'active' })
    }
    if (user.id === actor.id && input.role !== user.role) {
      throw new DomainError('You cannot change your own role: ask another admin', { code: 'cannot_change_own_role', field: 'role' })
    }
    await this.#checkReach(user, actor)
    return inTransaction(async (trx) => {
      await this.#checkEmail(trx, input.email, user.id)
      if (input.pin) await this.#checkPin(trx, store, input.pin, user.id)
      const previousRole = user.role
      const wasActive = user.active
      user.useTransaction(trx)
      user.merge({ name: input.name, email: input.email, role: input.role, active: input.active })
      // The auth mixin hashes the password when it changes; a blank field keeps the old one
      if (input.password) user.password = input.password
      if (input.pin) user.pin = input.pin
      await user.save()
      // A new password or a deactivation ends the person's signed-in sessions too
      if (input.password || (wasActive && !user.active)) await endSessions(user, trx)
      // A new role does not sign them out (a manager made cashier goes on at the till): every
      // request reads the role afresh (identity_cache.ts forgets the kept rows on commit, on every
      // server through Redis). Their live-update streams, subscribed under the old role, end
      // too: each page opens its stream again and subscribes as the new role may
      else if (previousRole !== user.role) endLiveStreams(user.id, trx)
      const audit = { storeId: store.id, userId: actor.id, subjectType: 'user', subjectId: user.id, ip }
      if (previousRole !== user.role) {
        await recordAudit({ ...audit, action: 'user_role_changed', data: { from: previousRole, to: user.role } }, trx)
      }
      // A new password is mostly set because the old one got out: what it let anyone sign in to
      // (API tokens) goes with it
      if ((wasActive && !user.active) || input.password) await this.#revokeTokens(trx, user)
      if (input.password && user.id !== actor.id) await recordAudit({ ...audit, action: 'user_password_reset' }, trx)
      if (wasActive && !user.active) {
        await recordAudit({ ...audit, action: 'user_deactivated' }, trx)
      } else if (!wasActive && user.active) {
        await recordAudit({ ...audit, action: 'user_reactivated' }, trx)
      }
      return user
    })
  }

  /** "Deleting" a user: they can no longer sign in, and their API tokens stop working */
  async deactivate(store: Store, user: User, actor: User, ip?: string | null) {
    if (user.id === actor.id) {
      throw new DomainError('You cannot deactivate your own account', { code: 'cannot_deactivate_self' })
    }
    if (!user.active) return user
    await this.#checkReach(user, actor)
    return inTransaction(async (trx) => {
      user.useTransaction(trx)
      user.active = false
      await user.save()
      await endSessions(user, trx)
      await this.#revokeTokens(trx, user)
      await recordAudit({ action: 'user_deactivated', storeId: store.id, userId: actor.id, subjectType: 'user', subjectId: user.id, ip }, trx)
      return user
    })
  }

  /** Only someone who works in every store a person works in may change them (worksBeyond) */
  async #checkReach(user: User, actor: User) {
    if (user.id !== actor.id && (await this.access.worksBeyond(user, actor))) {
      throw new DomainError('This person also works in stores you do not: only an admin of all their stores may change them', { status: 403, code: 'user_beyond_your_stores' })
    }
  }

  async #revokeTokens(trx: TransactionClientContract, user: User) {
    await trx.from('auth_access_tokens').where('tokenable_id', user.id).delete()
    identityChanged(trx)
  }

  /**
   * A PIN names one person of the store: the till takes the first active user whose PIN matches
   * (a manager's approval, a switch of user), so a cashier given a manager's PIN could approve
   * as that manager. PINs are hashed: each one of the store is checked, as the till does;
   * the inactive ones too, since a person reactivated keeps their PIN.
   */
  async #checkPin(trx: TransactionClientContract, store: Store, pin: string, userId: number | null) {
    // Every store the person works in: their PIN names them in each
    const stores = userId ? (await trx.from('store_users').where('user_id', userId).select('store_id')).map((row) => Number(row.store_id)) : []
    const others = await worksIn(trx.from('users'), [store.id, ...stores]).whereNotNull('pin').whereNot('id', userId ?? 0).select('pin')
    for (const other of others) {
      if (await hash.verify(other.pin, pin)) throw new DomainError('Someone else in this store has this PIN: choose another', { code: 'duplicate_pin', field: 'pin' })
    }
  }

  async #checkEmail(trx: TransactionClientContract, email: string, userId: number | null) {
    const taken = await trx.from('users').whereRaw('LOWER(email) = ?', [email.toLowerCase()]).whereNot('id', userId ?? 0).first()
    if (taken) throw new DomainError('Another account already uses this email', { code: 'duplicate_email', field: 'email' })
  }
}
