import Store from '#models/store'
import User from '#models/user'
import { DomainError } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { isCurrency, isTimeZone } from '#core/intl_codes'

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
      // Every setup first writes the one row of setup_lock (migration 0147). Two setups sent at
      // once through two Galera nodes each read no store (a node's row locks do not reach the
      // others), and when both reached COMMIT before either's rows reached the other node, nothing
      // they wrote had the same key: both committed, two stores and two admins. Writing one key,
      // the second fails Galera's certification at COMMIT (1213, retried by inTransaction); on one
      // server it waits for the first's row lock. Either way its next attempt reads the first
      // one's store below (on a cluster, reads wait for every earlier commit: wsrep_sync_wait)
      await trx.knexQuery().table('setup_lock').insert({ id: 1, setups: 1 }).onConflict('id').merge({ setups: trx.knexRawQuery('setup_lock.setups + 1') })
      // A locking read: it sees the latest committed store, not this transaction's snapshot
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
