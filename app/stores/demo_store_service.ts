import { DateTime, Settings } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import User, { type Role } from '#models/user'
import CheckoutService from '#sales/checkout_service'
import { rollUpDays } from '#reports/day_rollup'
import { searchWords } from '#catalog/catalog_service'
import { ean13 } from '#core/barcode'
import { DomainError } from '#exceptions/domain_error'
import { DemoShifts } from '#stores/demo_shifts'
import Customer from '#models/customer'
import { pluginHost } from '#plugins/host'
import { identityChanged } from '#staff/identity_cache'
import { dbTimestamp } from '#platform/db_time'
import { rowTime } from '#platform/row_time'
import { transaction } from '#platform/db_transaction'
import { nameKey } from '#core/name_key'

/*
| The demo store of `node ace pos:demo`: a New York corner grocery with two registers, three
| tax rates, 300 products in 10 categories and a week of sales rung up through the real
| checkout (numbers, stock ledger, hash chain and audit are exactly what a till would write).
|
| Refreshing wipes the previous demo (and bench) stores row by row in foreign-key order. A store
| that is neither is real data: the demo refuses to run next to it unless forced.
*/

export const DEMO_STORE_NAME = 'Open POS Demo Grocery'
export const BENCH_STORE_NAME = 'POS Bench Store'
export const DEMO_PASSWORD = 'demo-pass-1'
const DEMO_PLUGINS = ['export-journal', 'export-quickbooks', 'export-xero', 'export-sales-lines', 'loyalty-points', 'manual-card']
export const DEMO_USERS: { role: Role; name: string; email: string; pin: string | null }[] = [
  { role: 'admin', name: 'Ada Admin', email: 'admin@demo.test', pin: null },
  { role: 'manager', name: 'Max Manager', email: 'manager@demo.test', pin: '2222' },
  { role: 'cashier', name: 'Cass Cashier', email: 'cashier@demo.test', pin: '1111' },
  { role: 'accountant', name: 'Abe Accountant', email: 'accountant@demo.test', pin: null },
]

/** Opening hours of the demo store, in its time zone */
const OPENS_AT = 8
const CLOSES_AT = 21

/** name, price range in cents, tax class, and the item names (each gets 3 variants) */
const CATALOG: { name: string; color: string; tax: string; price: [number, number]; margin: number; brands: string[]; items: string[] }[] = [
  {
    name: 'Produce', color: '#4caf50', tax: 'zero', price: [79, 599], margin: 0.45,
    brands: ['Organic', 'Local', 'Fresh'],
    items: ['Bananas per lb', 'Gala Apples per lb', 'Hass Avocado', 'Baby Spinach 5 oz', 'Roma Tomatoes per lb', 'Yellow Onions 3 lb', 'Russet Potatoes 5 lb', 'Strawberries 1 lb', 'Blueberries 6 oz', 'Lemons each'],
  },
  {
    name: 'Bakery', color: '#d7a86e', tax: 'reduced', price: [199, 899], margin: 0.5,
    brands: ['Brooklyn Bake', 'Hudson', 'Village Oven'],
    items: ['Sourdough Loaf', 'Whole Wheat Bread', 'Everything Bagels 6 ct', 'Butter Croissant', 'Blueberry Muffins 4 ct', 'Rye Bread', 'Ciabatta Rolls', 'Chocolate Chip Cookies', 'Cinnamon Rolls', 'Baguette'],
  },
  {
    name: 'Dairy & Eggs', color: '#90caf9', tax: 'reduced', price: [149, 799], margin: 0.3,
    brands: ['Hudson Valley', 'Green Meadow', 'Farmstead'],
    items: ['Whole Milk Half Gallon', '2% Milk Gallon', 'Large Eggs 12 ct', 'Salted Butter 1 lb', 'Greek Yogurt 32 oz', 'Cheddar Cheese 8 oz', 'Mozzarella 16 oz', 'Cream Cheese 8 oz', 'Heavy Cream 1 pt', 'Oat Milk 64 oz'],
  },
  {
    name: 'Beverages', color: '#29b6f6', tax: 'standard', price: [99, 699], margin: 0.4,
    brands: ['Empire', 'Liberty', 'Sparkle'],
    items: ['Cola 12 oz Can', 'Sparkling Water 1 L', 'Orange Juice 52 oz', 'Iced Tea 16 oz', 'Cold Brew Coffee 11 oz', 'Lemonade 59 oz', 'Energy Drink 16 oz', 'Spring Water 24 pk', 'Ginger Ale 2 L', 'Kombucha 16 oz'],
  },
  {
    name: 'Snacks', color: '#ffb300', tax: 'standard', price: [99, 549], margin: 0.45,
    brands: ['Crunchy', 'Golden', 'Big Apple'],
    items: ['Potato Chips Sea Salt', 'Tortilla Chips', 'Pretzel Twists', 'Mixed Nuts 10 oz', 'Granola Bar', 'Popcorn Butter', 'Trail Mix', 'Dark Chocolate Bar', 'Gummy Bears', 'Rice Cakes'],
  },
  {
    name: 'Pantry', color: '#8d6e63', tax: 'reduced', price: [129, 999], margin: 0.35,
    brands: ['Pantry Pride', "Nonna's", 'Harvest'],
    items: ['Spaghetti 1 lb', 'Marinara Sauce 24 oz', 'Long Grain Rice 2 lb', 'Black Beans 15 oz', 'Extra Virgin Olive Oil 500 ml', 'Peanut Butter 16 oz', 'Rolled Oats 42 oz', 'Chicken Broth 32 oz', 'Honey 12 oz', 'Ground Coffee 12 oz'],
  },
  {
    name: 'Frozen', color: '#80deea', tax: 'reduced', price: [249, 899], margin: 0.35,
    brands: ['Arctic', 'Polar', 'Frost Valley'],
    items: ['Pepperoni Pizza', 'Vanilla Ice Cream 1.5 qt', 'Mixed Vegetables 16 oz', 'Chicken Nuggets 2 lb', 'Waffles 10 ct', 'Veggie Burgers 4 ct', 'Fish Sticks', 'Frozen Berries 16 oz', 'Burritos 8 ct', 'Dumplings 24 ct'],
  },
  {
    name: 'Deli', color: '#ef5350', tax: 'reduced', price: [299, 1299], margin: 0.4,
    brands: ['Deli Counter', 'Corner', 'Katz Style'],
    items: ['Turkey Breast Sliced 8 oz', 'Black Forest Ham 8 oz', 'Swiss Cheese Sliced', 'Hummus 10 oz', 'Chicken Salad', 'Pastrami Sliced 6 oz', 'Potato Salad 16 oz', 'Rotisserie Chicken', 'Egg Salad Sandwich', 'Caprese Salad'],
  },
  {
    name: 'Household', color: '#7e57c2', tax: 'standard', price: [149, 1999], margin: 0.4,
    brands: ['CleanCo', 'Brightside', 'Home Basics'],
    items: ['Paper Towels 6 rolls', 'Toilet Paper 12 rolls', 'Dish Soap 20 oz', 'Laundry Detergent 50 oz', 'Trash Bags 30 ct', 'Aluminum Foil 75 sq ft', 'Sponges 3 ct', 'All Purpose Cleaner', 'AA Batteries 8 pk', 'Light Bulbs 4 pk'],
  },
  {
    name: 'Personal Care', color: '#ec407a', tax: 'standard', price: [199, 1499], margin: 0.45,
    brands: ['Pure', 'Daily', 'Fresh Face'],
    items: ['Toothpaste 4 oz', 'Shampoo 12 oz', 'Bar Soap 4 pk', 'Deodorant', 'Hand Sanitizer 8 oz', 'Body Lotion 16 oz', 'Razors 4 ct', 'Cotton Swabs 500 ct', 'Lip Balm', 'Sunscreen SPF 30'],
  },
]

/** A small deterministic random generator, so every demo looks the same */
export function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface DemoSummary {
  store: Store
  products: number
  categories: number
  sales: number
  salesTotal: number
  lowStock: number
}

type Row = Record<string, unknown>

export default class DemoStoreService {
  /** Stores in this database that are real data (neither the demo nor the benchmark store) */
  async foreignStores(): Promise<{ id: number; name: string }[]> {
    return db.from('stores').whereNotIn('name', [DEMO_STORE_NAME, BENCH_STORE_NAME]).select('id', 'name')
  }

  /** Deletes the demo store(s) and every row that hangs off them, children first */
  async wipe(storeNames: string[] = [DEMO_STORE_NAME]) {
    const emails = DEMO_USERS.map((u) => u.email)
    const stores = await db.from('stores').whereIn('name', storeNames).select('id')
    const storeIds = stores.map((s) => Number(s.id))
    // Demo users left behind in another store would block the unique e-mails
    const strays = await db.from('users').whereIn('email', emails).select('store_id')
    for (const stray of strays) {
      if (stray.store_id && !storeIds.includes(Number(stray.store_id))) {
        throw new DomainError(`The demo e-mails (${emails[0]}...) belong to users of store ${stray.store_id}`, { code: 'demo_conflict' })
      }
    }
    await transaction(async (trx) => {
      // Its users, stores and tokens go: a server that kept them forgets them (identity_cache.ts)
      identityChanged(trx)
      const userIds = (await trx.from('users').whereIn('store_id', storeIds).orWhereIn('email', emails).select('id')).map((u) => Number(u.id))
      const saleIds = trx.from('sales').whereIn('store_id', storeIds).select('id')
      if (userIds.length) {
        await trx.from('auth_access_tokens').whereIn('tokenable_id', userIds).delete()
        await trx.from('idempotency_keys').whereIn('user_id', userIds).delete()
      }
      if (!storeIds.length) {
        if (userIds.length) await trx.from('users').whereIn('id', userIds).delete()
        return
      }
      const ofStores = (table: string) => trx.from(table).whereIn('store_id', storeIds).select('id')
      const transfers = trx.from('stock_transfers').whereIn('from_store_id', storeIds).orWhereIn('to_store_id', storeIds).select('id')
      // Children first, so no foreign key is left pointing at a deleted row
      await trx.from('refund_payments').whereIn('refund_id', ofStores('refunds')).delete()
      await trx.from('refund_items').whereIn('refund_id', ofStores('refunds')).delete()
      await trx.from('refunds').whereIn('store_id', storeIds).delete()
      await trx.from('z_reports').whereIn('store_id', storeIds).delete()
      await trx.from('cash_movements').whereIn('store_id', storeIds).delete()
      for (const table of ['print_jobs', 'bridge_pairing_codes', 'bridges', 'devices', 'stock_adjustments', 'product_imports']) {
        await trx.from(table).whereIn('store_id', storeIds).delete()
      }
      await trx.from('stock_receipt_lines').whereIn('receipt_id', ofStores('stock_receipts')).delete()
      await trx.from('stock_receipts').whereIn('store_id', storeIds).delete()
      await trx.from('stocktake_lines').whereIn('stocktake_id', ofStores('stocktakes')).delete()
      await trx.from('stocktakes').whereIn('store_id', storeIds).delete()
      await trx.from('stock_transfer_lines').whereIn('transfer_id', transfers).delete()
      await trx.from('stock_transfers').whereIn('from_store_id', storeIds).orWhereIn('to_store_id', storeIds).delete()
      await trx.from('audit_logs').whereIn('store_id', storeIds).delete()
      for (const table of ['summary_sales', 'summary_tenders', 'summary_cashiers', 'summary_products', 'summary_product_months', 'summary_month_rollups', 'summary_days_rolled']) await trx.from(table).whereIn('store_id', storeIds).delete()
      await trx.from('stock_movements').whereIn('store_id', storeIds).delete()
      await trx.from('payments').whereIn('store_id', storeIds).delete()
      await trx.from('sale_items').whereIn('sale_id', saleIds).delete()
      await trx.from('sales').whereIn('store_id', storeIds).delete()
      await trx.from('shifts').whereIn('store_id', storeIds).delete()
      await trx.from('product_words').whereIn('store_id', storeIds).delete()
      await trx.from('product_barcodes').whereIn('store_id', storeIds).delete()
      await trx.from('products').whereIn('store_id', storeIds).delete()
      await trx.from('categories').whereIn('store_id', storeIds).delete()
      await trx.from('tax_rates').whereIn('store_id', storeIds).delete()
      await trx.from('customers').whereIn('store_id', storeIds).delete()
      await trx.from('store_users').whereIn('store_id', storeIds).orWhereIn('user_id', userIds).delete()
      await trx.from('users').whereIn('id', userIds).delete()
      await trx.from('registers').whereIn('store_id', storeIds).delete()
      await trx.from('stores').whereIn('id', storeIds).delete()
    })
  }

  async create(options: { now?: DateTime; days?: number } = {}): Promise<DemoSummary> {
    const random = prng(20261120)
    const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
    const zone = 'America/New_York'
    const now = (options.now ?? DateTime.utc()).setZone(zone)
    const firstDay = now.minus({ days: options.days ?? 7 }).startOf('day')
    const setUpAt = firstDay.minus({ days: 1 }).set({ hour: 7 }).toUTC()
    // Everything the models stamp through Luxon (created_at, completed_at) gets the demo's past
    // time: the store was set up the day before the first sale, each sale at its own time
    const realNow = Settings.now
    Settings.now = () => setUpAt.toMillis()
    try {
      // ------------------------------------------------------------ store, registers, taxes, users
      const store = await Store.create({
        name: DEMO_STORE_NAME,
        address: '120 Bleecker Street\nNew York, NY 10012',
        currency: 'USD',
        timeZone: zone,
        allowNegativeStock: false,
        pricesIncludeTax: false,
        cashRounding: 1,
        receiptFooter: 'Thank you for shopping local! Returns within 30 days with receipt.',
      })
      await store.related('registers').createMany([
        { name: 'Register 1', lastSaleNumber: 0 },
        { name: 'Register 2', lastSaleNumber: 0 },
      ])
      const registers = await store.related('registers').query().orderBy('id')
      // Bulk rows carry the text the models write (dbTimestamp): a Date would land in SQLite as
      // epoch milliseconds that the models cannot read back
      const at = dbTimestamp(setUpAt)
      const atText = at
      await db.insertQuery().table('tax_rates').multiInsert([
        { store_id: store.id, tax_class: 'standard', name: 'NYC sales tax', rate_ppm: 88750, created_at: at, updated_at: at },
        { store_id: store.id, tax_class: 'reduced', name: 'Reduced', rate_ppm: 20000, created_at: at, updated_at: at },
        { store_id: store.id, tax_class: 'zero', name: 'No tax', rate_ppm: 0, created_at: at, updated_at: at },
      ])
      const users = {} as Record<Role, User>
      for (const spec of DEMO_USERS) {
        users[spec.role] = await User.create({
          storeId: store.id,
          name: spec.name,
          email: spec.email,
          password: DEMO_PASSWORD,
          // Hashed by the model, which keeps its digest too
          pin: spec.pin,
          role: spec.role,
          active: true,
        })
      }

      // ------------------------------------------------------------ categories and products (bulk)
      await db.insertQuery().table('categories').multiInsert(
        CATALOG.map((c, position) => ({ store_id: store.id, name: c.name, name_key: nameKey(c.name), color: c.color, position, created_at: atText, updated_at: atText }))
      )
      const categoryIds = new Map<string, number>(
        (await db.from('categories').where('store_id', store.id).select('id', 'name')).map((c) => [c.name, Number(c.id)])
      )
      const products: (Row & { sku: string; barcode: string; popularity: number })[] = []
      let serial = 0
      CATALOG.forEach((category, ci) => {
        category.items.forEach((item, ii) => {
          category.brands.forEach((brand, bi) => {
            serial++
            const [min, max] = category.price
            // Round prices to .x9 like shelf tags
            const price = Math.max(min, Math.round(between(min, max) / 10) * 10 - 1)
            const cost = Math.round(price * (1 - category.margin) * (0.9 + random() * 0.2))
            const sku = `${category.name.slice(0, 3).toUpperCase()}-${String(ci + 1).padStart(2, '0')}${String(ii + 1).padStart(2, '0')}${bi + 1}`
            // Manufacturer-style GTIN bodies: 0 + a 5-digit company prefix + a 6-digit item number
            const barcode = ean13(`0${String(71000 + ci * 37 + bi).padStart(5, '0')}${String(100000 + serial * 7).padStart(6, '0')}`)
            // A few products run low; the popular ones (first items of a category) stock deep
            const low = serial % 29 === 5
            const popularity = ii < 3 ? 3 : ii < 6 ? 2 : 1
            const stock = low ? between(0, 3) : between(30, 80) * popularity
            products.push({
              store_id: store.id,
              category_id: categoryIds.get(category.name)!,
              name: `${brand} ${item}`,
              sku,
              price,
              cost,
              tax_class: category.tax,
              stock,
              active: true,
              created_at: atText,
              updated_at: atText,
              barcode,
              popularity: low ? 0 : popularity,
            })
          })
        })
      })
      await transaction(async (trx) => {
        const rows = products.map(({ barcode, popularity, ...row }) => row)
        for (let i = 0; i < rows.length; i += 500) await trx.insertQuery().table('products').multiInsert(rows.slice(i, i + 500))
        const ids = new Map<string, number>(
          (await trx.from('products').where('store_id', store.id).select('id', 'sku')).map((p) => [p.sku, Number(p.id)])
        )
        for (const p of products) p.id = ids.get(p.sku)!
        const barcodes = products.map((p) => ({ store_id: store.id, product_id: p.id, code: p.barcode }))
        const words = products.flatMap((p) => searchWords(p.name as string).map((word) => ({ store_id: store.id, word, product_id: p.id })))
        const movements = products
          .filter((p) => Number(p.stock) !== 0)
          .map((p) => ({ store_id: store.id, product_id: p.id, quantity: p.stock, reason: 'initial', user_id: users.admin.id, note: 'Opening stock', created_at: at }))
        for (const [table, list] of [['product_barcodes', barcodes], ['product_words', words], ['stock_movements', movements]] as const) {
          for (let i = 0; i < list.length; i += 500) await trx.insertQuery().table(table).multiInsert(list.slice(i, i + 500) as Row[])
        }
      })

      // ------------------------------------------------------------ a week of sales, through the checkout
      const times: DateTime[] = []
      for (let day = firstDay; day <= now.startOf('day'); day = day.plus({ days: 1 })) {
        const weekend = day.weekday >= 6
        const count = between(24, 40) + (weekend ? 12 : 0)
        for (let i = 0; i < count; i++) {
          // Busier at lunch and after work: two humps over the opening hours
          const hump = random() < 0.5 ? 12.5 : 17.5
          let hour = hump + (random() + random() + random() - 1.5) * 3
          hour = Math.min(CLOSES_AT - 0.01, Math.max(OPENS_AT, hour))
          const time = day.set({ hour: 0 }).plus({ seconds: Math.floor(hour * 3600) })
          if (time < now.minus({ minutes: 5 })) times.push(time)
        }
      }
      times.sort((a, b) => a.toMillis() - b.toMillis())

      const stockLeft = new Map<number, number>(products.map((p) => [p.id as number, Number(p.stock)]))
      const weighted = products.flatMap((p) => Array(p.popularity).fill(p)) as typeof products
      const checkout = new CheckoutService()
      // Each register's day of sales is a shift: opened before its first sale, closed after closing time
      const shifts = new DemoShifts({ user: users.manager, store, ip: '127.0.0.1' }, { zone, opensAt: OPENS_AT, closesAt: CLOSES_AT })
      const saleIds: number[] = []
      let salesTotal = 0
      for (const time of times) {
        const lines = new Map<number, number>()
        const wanted = random() < 0.3 ? 1 : between(2, 7)
        for (let n = 0; n < wanted; n++) {
          const product = weighted[Math.floor(random() * weighted.length)]
          const id = product.id as number
          const quantity = random() < 0.8 ? 1 : between(2, 3)
          if ((stockLeft.get(id) ?? 0) - (lines.get(id) ?? 0) >= quantity) lines.set(id, (lines.get(id) ?? 0) + quantity)
        }
        if (!lines.size) continue
        const user = random() < 0.8 ? users.cashier : users.manager
        const register = registers[random() < 0.6 ? 0 : 1]
        const card = random() < 0.55
        await shifts.before(register.id, time)
        // The checkout reads the clock through Luxon: the sale is completed at its past time,
        // so its number order, hash chain and stock movements all agree with that time
        const epoch = time.toMillis()
        Settings.now = () => epoch
        const { sale } = await checkout.createSale({ user, store, ip: '127.0.0.1' }, register.id, {
          lines: [...lines].map(([productId, quantity]) => ({ productId, quantity })),
          payment: card
            ? { method: 'card_external', reference: `AUTH${between(100000, 999999)}` }
            : { method: 'cash', tendered: null },
        })
        for (const [id, quantity] of lines) stockLeft.set(id, stockLeft.get(id)! - quantity)
        saleIds.push(sale.id)
        salesTotal += sale.total
      }

      // What the checkout stamps with the machine's clock instead of Luxon's: move it to the sale's time
      await this.#backdate(saleIds)

      // Register 1 is open for today with a $150 float, so the demo till sells at once; Register 2
      // shows a cashier how a register is opened (its shift of today, if it sold, closed now)
      await shifts.finish(registers[0].id, [registers[1].id], now)

      const lowStock = [...stockLeft.values()].filter((s) => s <= 3).length
      Settings.now = realNow
      // The reports' summaries of the demo's past days, as a server's housekeeping would roll them up
      await rollUpDays(store)
      await Customer.createMany([
        { storeId: store.id, name: 'Maria Lopez', email: 'maria.lopez@example.com', phone: '+12125550147' },
        { storeId: store.id, name: 'James Chen', email: 'james.chen@example.com', phone: '+12125550198' },
      ])
      await this.#enableDemoPlugins(users.admin)
      return { store, products: products.length, categories: CATALOG.length, sales: saleIds.length, salesTotal, lowStock }
    } finally {
      Settings.now = realNow
    }
  }

  /** The accounting exports, the loyalty program and the standalone card machine, as an admin would enable them */
  async #enableDemoPlugins(admin: User) {
    const actor = { userId: admin.id, storeId: admin.storeId, currency: 'USD' }
    pluginHost.discover()
    for (const id of DEMO_PLUGINS) {
      if (pluginHost.list().some((entry) => entry.id === id)) await pluginHost.enable(id, actor)
    }
  }

  /**
   * The sale, its payment and its stock movements already carry the sale's time (through Luxon);
   * sale_items and audit_logs rows are stamped with `new Date()`: move them back to the sale's time
   */
  async #backdate(saleIds: number[]) {
    for (let i = 0; i < saleIds.length; i += 200) {
      const chunk = saleIds.slice(i, i + 200)
      const sales = await db.from('sales').whereIn('id', chunk).select('id', 'completed_at')
      await transaction(async (trx) => {
        for (const sale of sales) {
          const when = dbTimestamp(rowTime(sale.completed_at)!)
          await trx.from('sale_items').where('sale_id', sale.id).update({ created_at: when, updated_at: when })
          await trx.from('audit_logs').where({ subject_type: 'sale', subject_id: sale.id }).update({ created_at: when })
        }
      })
    }
  }
}
