import { rebuildForNewZone } from '#reports/day_rollup'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import Register from '#models/register'
import User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { isCurrency, isTimeZone } from '#core/intl_codes'
import StoreAccessService from '#staff/store_access_service'
import { checkPinsJoiningStore } from '#staff/pin_clash'
import { endLiveStreams } from '#staff/sessions'

export interface StoreInput {
  name: string
  address?: string | null
  currency: string
  timeZone: string
  cashRounding: number
  /** Basis points of a sale a cashier may take off without a manager (sales/discount_limit.ts) */
  discountLimit?: number
  allowNegativeStock: boolean
  pricesIncludeTax: boolean
  receiptFooter?: string | null
}

/**
 * The chain's stores, as an admin sees them: the stores they belong to, each with its settings,
 * registers and staff. A new store takes the tax classes of the admin's current store (so
 * products and tax rates mean the same across the chain) and one register.
 */
export default class StoreAdminService {
  constructor(private access = new StoreAccessService()) {}

  list(admin: User) {
    return this.access.storesOf(admin).preload('registers', (q) => q.orderBy('id'))
  }

  async find(admin: User, id: unknown) {
    const storeId = Number(id) || 0
    const store = await Store.query().where('id', storeId).preload('registers', (q) => q.orderBy('id')).first()
    if (!store || !(await this.access.belongs(admin, storeId))) throw notFound('The store')
    return store
  }

  async create(input: StoreInput, admin: User, template: Store, ip?: string | null) {
    this.#check(input)
    return inTransaction(async (trx) => {
      // The installation's admins (who work in every store) work in this one too: an admin of some
      // stores only, making one, would otherwise take plugins and backups away from everyone
      const installationAdmins = await this.access.installationAdminIds(trx)
      const store = await Store.create(this.#attributes(input), { client: trx })
      await Register.create({ storeId: store.id, name: 'Register 1', lastSaleNumber: 0 }, { client: trx })
      const now = dbTimestamp()
      const rates = await trx.from('tax_rates').where('store_id', template.id).select('tax_class', 'name', 'rate_ppm')
      if (rates.length) {
        await trx.insertQuery().table('tax_rates').multiInsert(rates.map((r) => ({ ...r, store_id: store.id, created_at: now, updated_at: now })))
      }
      const staff = [...new Set([admin.id, ...installationAdmins])]
      await trx.insertQuery().table('store_users').multiInsert(staff.map((userId) => ({ store_id: store.id, user_id: userId, created_at: now })))
      await recordAudit({ action: 'store_created', storeId: store.id, userId: admin.id, subjectType: 'store', subjectId: store.id, ip }, trx)
      return store
    })
  }

  async update(store: Store, input: StoreInput, admin: User, ip?: string | null) {
    this.#check(input)
    const zoneBefore = store.timeZone
    const updated = await inTransaction(async (trx) => {
      if (input.currency !== store.currency && (await trx.from('sales').where('store_id', store.id).first())) {
        throw new DomainError('This store has sales in its currency: the currency can no longer change', { code: 'currency_locked', field: 'currency' })
      }
      store.useTransaction(trx)
      store.merge(this.#attributes(input))
      const changed = Object.keys(store.$dirty)
      await store.save()
      if (changed.length) {
        await recordAudit({ action: 'store_updated', storeId: store.id, userId: admin.id, subjectType: 'store', subjectId: store.id, data: { changed }, ip }, trx)
      }
      return store
    })
    // The report summaries are kept by the store's days: a new time zone moves the days' edges
    if (updated.timeZone !== zoneBefore) await rebuildForNewZone(updated)
    return updated
  }

  async addRegister(store: Store, name: string) {
    await this.#checkRegisterName(store, name, null)
    return Register.create({ storeId: store.id, name, lastSaleNumber: 0 })
  }

  async renameRegister(store: Store, registerId: unknown, name: string) {
    const register = await Register.query().where({ id: Number(registerId) || 0, store_id: store.id }).first()
    if (!register) throw notFound('The register')
    await this.#checkRegisterName(store, name, register.id)
    register.name = name
    await register.save()
    return register
  }

  /** Who may work in the store, chosen from the people of the admin's stores; a home store always counts */
  async candidates(admin: User, store: Store) {
    const storeIds = (await this.access.storesOf(admin).select('id')).map((s) => s.id)
    const users = await User.query()
      .where('active', true)
      .where((q) => q.whereIn('store_id', storeIds).orWhereIn('id', (sub) => sub.from('store_users').whereIn('store_id', storeIds).select('user_id')))
      .orderBy('name')
    const members = new Set((await db.from('store_users').where('store_id', store.id).select('user_id')).map((row) => Number(row.user_id)))
    return users.map((user) => ({ user, home: user.storeId === store.id, member: user.storeId === store.id || members.has(user.id) }))
  }

  async setStaff(admin: User, store: Store, userIds: number[], ip?: string | null) {
    const candidates = await this.candidates(admin, store)
    const wanted = new Set(userIds)
    const unknown = userIds.filter((id) => !candidates.some((c) => c.user.id === id))
    if (unknown.length) throw new DomainError('Choose people who work in your stores', { code: 'unknown_user', field: 'user_ids' })
    // An installation's admin is taken off a store only by another one (it would take plugins and
    // backups away from them)
    const installationAdmins = new Set(await this.access.installationAdminIds())
    if (!installationAdmins.has(admin.id) && candidates.some(({ user, home, member }) => !home && member && !wanted.has(user.id) && installationAdmins.has(user.id))) {
      throw new DomainError('An admin of every store stays on each store: only another admin of every store may take them off', { code: 'installation_admin', field: 'user_ids' })
    }
    return inTransaction(async (trx) => {
      const added = candidates.filter(({ user, home, member }) => !home && !member && wanted.has(user.id)).map(({ user }) => user.id)
      // A PIN names one person in each store: one of theirs that someone here has is refused
      await checkPinsJoiningStore(trx, store.id, added)
      const removed: number[] = []
      const now = dbTimestamp()
      for (const userId of added) await trx.insertQuery().table('store_users').insert({ store_id: store.id, user_id: userId, created_at: now })
      for (const { user, home, member } of candidates) {
        if (home) continue
        if (!wanted.has(user.id) && member && user.id !== admin.id) {
          await trx.from('store_users').where({ store_id: store.id, user_id: user.id }).delete()
          removed.push(user.id)
        }
      }
      // A page of this store open in their browser heard its sales and stock on until closed
      for (const userId of removed) endLiveStreams(userId, trx)
      if (added.length || removed.length) {
        await recordAudit({ action: 'store_staff_changed', storeId: store.id, userId: admin.id, subjectType: 'store', subjectId: store.id, data: { added, removed }, ip }, trx)
      }
      return { added, removed }
    })
  }

  /** The store's settings as the form gives them, for create and update alike */
  #attributes(input: StoreInput) {
    return {
      name: input.name,
      address: input.address ?? null,
      currency: input.currency,
      timeZone: input.timeZone,
      cashRounding: input.cashRounding,
      // Left out (an older form, a script): as it was, or the column's default (20%) for a new store
      ...(input.discountLimit === undefined ? {} : { discountLimit: input.discountLimit }),
      allowNegativeStock: input.allowNegativeStock,
      pricesIncludeTax: input.pricesIncludeTax,
      receiptFooter: input.receiptFooter ?? null,
    }
  }

  #check(input: StoreInput) {
    if (!isCurrency(input.currency)) throw new DomainError('Unknown currency code: use ISO 4217, such as USD or EUR', { code: 'invalid_currency', field: 'currency' })
    if (!isTimeZone(input.timeZone)) {
      throw new DomainError('Unknown time zone: use an IANA name such as Europe/Paris', { code: 'invalid_time_zone', field: 'time_zone' })
    }
  }

  async #checkRegisterName(store: Store, name: string, registerId: number | null) {
    const taken = await Register.query().where({ store_id: store.id }).whereRaw('LOWER(name) = ?', [name.toLowerCase()]).whereNot('id', registerId ?? 0).first()
    if (taken) throw new DomainError('This store already has a register with this name', { code: 'duplicate_register', field: 'name' })
  }
}
