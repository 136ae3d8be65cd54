/*
| The bench store of pos:bench (files starting with "_" are not commands): one register, cashier
| and open shift per client, and the products that pos:bench-offline seeds too
| (_offline_bench_seed.ts), so either command finds the store the other seeded.
| Models and services are imported when seeding runs: ace loads a command file before the app boots.
*/

export const BENCH_PASSWORD = 'bench-pass-1'

export interface Fixture {
  storeId: number
  registers: number[]
  cashiers: { email: string; registerId: number }[]
  codes: string[]
  productIds: number[]
  products: number
}

export async function seedBenchStore(products: number, concurrency: number, log: (message: string) => void): Promise<Fixture> {
  const db = (await import('@adonisjs/lucid/services/db')).default
  const hash = (await import('@adonisjs/core/services/hash')).default
  const { BENCH_STORE_NAME } = await import('#stores/demo_store_service')
  const { seedBenchProducts } = await import('./_offline_bench_seed.js')
  const { default: Store } = await import('#models/store')
  const { default: User } = await import('#models/user')
  const { default: Register } = await import('#models/register')
  const { default: ShiftService } = await import('#shifts/shift_service')

  let store = await Store.findBy('name', BENCH_STORE_NAME)
  if (!store) {
    store = await Store.create({ name: BENCH_STORE_NAME, address: 'Benchmark', currency: 'USD', timeZone: 'America/New_York', allowNegativeStock: false, pricesIncludeTax: false, cashRounding: 1 })
  }
  const storeId = store.id

  // One register and one cashier per client
  const registers = await Register.query().where('store_id', storeId).whereNot('name', 'like', 'Bench limit register %').orderBy('id')
  for (let i = registers.length; i < concurrency; i++) {
    registers.push(await Register.create({ storeId, name: `Bench register ${i + 1}`, lastSaleNumber: 0 }))
  }
  const cashiers: { email: string; registerId: number }[] = []
  const pin = await hash.make('1111')
  for (let i = 0; i < concurrency; i++) {
    const email = `bench-cashier-${i + 1}@bench.test`
    if (!(await User.findBy('email', email))) {
      await User.create({ storeId, name: `Bench Cashier ${i + 1}`, email, password: BENCH_PASSWORD, pin, role: 'cashier', active: true })
    }
    cashiers.push({ email, registerId: registers[i].id })
  }
  // The till sells only on a register whose shift is open
  const shifts = new ShiftService()
  const opener = await User.findByOrFail('email', cashiers[0].email)
  for (const register of registers.slice(0, concurrency)) {
    if (!(await shifts.current(storeId, register.id))) await shifts.open({ user: opener, store }, register.id, { amount: 10_000 })
  }

  // Tax rates and products (and the stock topped back up if earlier runs sold much of it)
  await seedBenchProducts(db, storeId, products, log)

  const barcodes = (await db.from('product_barcodes').where('store_id', storeId).select('code', 'product_id')) as { code: string; product_id: number }[]
  return {
    storeId,
    registers: registers.map((r) => r.id),
    cashiers,
    codes: barcodes.map((b) => b.code),
    productIds: barcodes.map((b) => Number(b.product_id)),
    products: Math.max(barcodes.length, products),
  }
}
