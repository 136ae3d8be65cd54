import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import Register from '#models/register'
import User, { type Role } from '#models/user'
import Category from '#models/category'
import type Product from '#models/product'
import CatalogService from '#catalog/catalog_service'
import { ean13 } from '#core/barcode'
import { dbTimestamp } from '#platform/db_time'
import ShiftService from '#shifts/shift_service'

/*
| Each test makes its own store (with a register, tax rates and one user per role), so tests
| never see each other's rows and can run against one database without cleaning it.
*/

export const PASSWORD = 'test-pass-123'
export const PINS: Record<Role, string> = { admin: '9999', manager: '2222', cashier: '1111', accountant: '4444' }

export interface TestStore {
  store: Store
  register: Register
  users: Record<Role, User>
  category: Category
  tag: string
}

/**
 * A store with its registers, tax rates, a user of each role and an open shift. `chainAdmin`: its
 * admin also joins every store the run's database holds now, as the admin of a whole installation
 * (who alone may manage its plugins and backups); a store made later is not theirs.
 */
export async function createStore(options: { taxPpm?: number; pricesIncludeTax?: boolean; allowNegativeStock?: boolean; cashRounding?: number; openShift?: boolean; chainAdmin?: boolean } = {}): Promise<TestStore> {
  const tag = randomUUID().slice(0, 8)
  const store = await Store.create({
    name: `Test store ${tag}`,
    address: '1 Test Street',
    currency: 'USD',
    timeZone: 'America/New_York',
    pricesIncludeTax: options.pricesIncludeTax ?? false,
    allowNegativeStock: options.allowNegativeStock ?? false,
    cashRounding: options.cashRounding ?? 1,
  })
  const register = await Register.create({ storeId: store.id, name: 'Register 1', lastSaleNumber: 0 })
  await Register.create({ storeId: store.id, name: 'Register 2', lastSaleNumber: 0 })
  const now = dbTimestamp()
  await Store.query().client.insertQuery().table('tax_rates').multiInsert([
    { store_id: store.id, tax_class: 'standard', name: 'Sales tax', rate_ppm: options.taxPpm ?? 80000, created_at: now, updated_at: now },
    { store_id: store.id, tax_class: 'reduced', name: 'Reduced', rate_ppm: 20000, created_at: now, updated_at: now },
    { store_id: store.id, tax_class: 'zero', name: 'No tax', rate_ppm: 0, created_at: now, updated_at: now },
  ])
  const users = {} as Record<Role, User>
  for (const role of ['admin', 'manager', 'cashier', 'accountant'] as Role[]) {
    users[role] = await User.create({
      storeId: store.id,
      name: `${role[0].toUpperCase()}${role.slice(1)} ${tag}`,
      email: `${role}.${tag}@test.local`,
      password: PASSWORD,
      pin: PINS[role],
      role,
      active: true,
    })
  }
  const category = await Category.create({ storeId: store.id, name: 'General', position: 0 })
  // Register 1 starts the test mid-day, its shift open (float 0), so the till sells at once
  if (options.openShift ?? true) await new ShiftService().open({ user: users.manager, store }, register.id, { amount: 0 })
  if (options.chainAdmin) await joinEveryStore(users.admin.id)
  return { store, register, users, category, tag }
}

/**
 * Cash put into the drawer of a register's open shift (register 1's by default), or a shift opened
 * there with it as its float: a cash refund pays out only what an open shift's drawer holds
 */
export async function cashIntoDrawer(fixture: TestStore, amount: number, registerId = fixture.register.id) {
  const actor = { user: fixture.users.manager, store: fixture.store }
  const shift = await new ShiftService().current(fixture.store.id, registerId)
  if (!shift) await new ShiftService().open(actor, registerId, { amount })
  else await new ShiftService().recordMovement(actor, shift.id, 'cash_in', amount, 'Change for refunds')
}

/** Makes the user a member of every store the run's database holds now (store_users) */
export async function joinEveryStore(userId: number) {
  const now = dbTimestamp()
  const stores = await db.from('stores').whereNotIn('id', db.from('store_users').where('user_id', userId).select('store_id')).select('id')
  for (const store of stores) await db.table('store_users').insert({ store_id: store.id, user_id: userId, created_at: now })
}

let barcodeCounter = Math.floor(Math.random() * 1_000_000)

/** A product with a valid EAN-13, saved through the catalog like the back office does */
export async function createProduct(
  fixture: TestStore,
  overrides: Partial<{ name: string; sku: string; price: number; cost: number; stock: number; taxClass: string; barcode: string }> = {}
): Promise<Product> {
  barcodeCounter++
  const barcode = overrides.barcode ?? ean13(`20${String(barcodeCounter).padStart(10, '0')}`)
  return new CatalogService().create(fixture.store, {
    name: overrides.name ?? `Product ${barcodeCounter}`,
    sku: overrides.sku ?? `SKU-${fixture.tag}-${barcodeCounter}`,
    barcodes: [barcode],
    price: overrides.price ?? 1000,
    cost: overrides.cost ?? 400,
    categoryId: fixture.category.id,
    taxClass: overrides.taxClass ?? 'standard',
    stock: overrides.stock ?? 100,
  })
}

/** Signs in through the real API and returns the bearer token */
export async function apiToken(client: any, user: User): Promise<string> {
  const response = await client.post('/api/auth/login').json({ email: user.email, password: PASSWORD })
  return response.body().token
}

/** Rows of a table matching a filter, to prove that a refused request wrote nothing */
/** The fields a JSON error answer names, in order */
export function errorFields(response: any): string[] {
  return (response.body().errors ?? []).map((e: any) => e.field)
}

export async function countRows(table: string, where: Record<string, unknown>) {
  const row = await db.from(table).where(where).count('* as n').first()
  return Number(row.n)
}

/** The stock ledger's sum for a product: must always equal products.stock */
export async function ledgerSum(productId: number) {
  const row = await db.from('stock_movements').where('product_id', productId).sum('quantity as total').first()
  return Number(row.total ?? 0)
}

export async function stockOf(productId: number) {
  const row = await db.from('products').where('id', productId).select('stock').first()
  return Number(row.stock)
}
