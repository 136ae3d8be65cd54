import Store from '#models/store'
import User from '#models/user'
import { DomainError } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'

export interface StoreSetup {
  storeName: string
  address?: string | null
  currency: string
  timeZone: string
  taxRatePpm: number
  pricesIncludeTax: boolean
  admin: { name: string; email: string; password: string }
}

/** The first run of a fresh install: one store, one register, its tax rates and the admin */
export default class StoreSetupService {
  async needsSetup() {
    return !(await Store.query().first())
  }

  async create(setup: StoreSetup) {
    if (!isTimeZone(setup.timeZone)) {
      throw new DomainError('Unknown time zone: use an IANA name such as Europe/Paris', { code: 'invalid_time_zone', field: 'time_zone' })
    }
    if (!isCurrency(setup.currency)) {
      throw new DomainError('Unknown currency code', { code: 'invalid_currency', field: 'currency' })
    }
    return inTransaction(async (trx) => {
      // A locking read: setups sent at once on MariaDB each read no store in their snapshot and
      // each made one (two stores, two admins). Locked, the second waits or is the deadlock's
      // victim, and its retry finds the first one's store
      if (await Store.query({ client: trx }).forUpdate().first()) {
        throw new DomainError('This POS is already set up', { status: 409, code: 'already_set_up' })
      }
      const store = await Store.create(
        { name: setup.storeName, address: setup.address ?? null, currency: setup.currency, timeZone: setup.timeZone, pricesIncludeTax: setup.pricesIncludeTax, allowNegativeStock: false, cashRounding: 1 },
        { client: trx }
      )
      await store.related('registers').create({ name: 'Register 1', lastSaleNumber: 0 })
      const now = dbTimestamp()
      await trx.insertQuery().table('tax_rates').multiInsert([
        { store_id: store.id, tax_class: 'standard', name: 'Tax', rate_ppm: setup.taxRatePpm, created_at: now, updated_at: now },
        { store_id: store.id, tax_class: 'zero', name: 'No tax', rate_ppm: 0, created_at: now, updated_at: now },
      ])
      const admin = await User.create(
        { storeId: store.id, name: setup.admin.name, email: setup.admin.email.toLowerCase(), password: setup.admin.password, role: 'admin', active: true },
        { client: trx }
      )
      await recordAudit({ action: 'store_set_up', storeId: store.id, userId: admin.id }, trx)
      return { store, admin }
    })
  }
}

export function isTimeZone(zone: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

export function isCurrency(code: string) {
  return Intl.supportedValuesOf('currency').includes(code)
}
