/*
| The products of the bench store for node ace pos:bench-offline, the same rows pos:bench seeds
| (commands/pos_bench.ts: names, SKUs BENCH-0000001.., EAN-13 barcodes 29..., prices, tax classes,
| a huge stock), so either command finds the store the other seeded and adds only what is missing.
*/
import { searchWords } from '#catalog/catalog_service'
import { ean13 } from '#core/barcode'
import { dbTimestamp } from '#platform/db_time'
import { transaction } from '#platform/db_transaction'

const HUGE_STOCK = 1_000_000
const BRANDS = ['Acme', 'Northwind', 'Contoso', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Gringotts', 'Wonka', 'Oceanic', 'Cyberdyne']
const ADJECTIVES = ['Classic', 'Organic', 'Spicy', 'Sweet', 'Smoked', 'Fresh', 'Crispy', 'Light', 'Extra', 'Premium', 'Roasted', 'Frozen', 'Whole', 'Natural', 'Golden', 'Dark']
const NOUNS = ['Coffee', 'Tea', 'Chips', 'Cookies', 'Pasta', 'Rice', 'Beans', 'Soup', 'Cereal', 'Juice', 'Soda', 'Yogurt', 'Cheese', 'Bread', 'Crackers', 'Sauce', 'Soap', 'Shampoo', 'Candles', 'Batteries']
const SIZES = ['100 g', '250 g', '500 g', '1 kg', '12 oz', '16 oz', '1 L', '2 L', '6 pk', '12 pk', '24 ct']

/** The store's tax rates when it has none, then products up to `products` */
export async function seedBenchProducts(db: any, storeId: number, products: number, log: (message: string) => void) {
  const now = dbTimestamp()
  if (!(await db.from('tax_rates').where('store_id', storeId).first())) {
    await db.insertQuery().table('tax_rates').multiInsert([
      { store_id: storeId, tax_class: 'standard', name: 'Sales tax', rate_ppm: 88750, created_at: now, updated_at: now },
      { store_id: storeId, tax_class: 'reduced', name: 'Reduced', rate_ppm: 20000, created_at: now, updated_at: now },
      { store_id: storeId, tax_class: 'zero', name: 'No tax', rate_ppm: 0, created_at: now, updated_at: now },
    ])
  }
  const have = Number((await db.from('products').where('store_id', storeId).count('* as n').first())?.n ?? 0)
  if (have >= products) return log(`the bench store has ${have} products`)
  // 1,000 rows per INSERT (500 on SQLite, whose compound SELECT stops at 500 terms), 10 per transaction
  const config: any = db.manager.get(db.primaryConnectionName)?.config
  const BATCH = config?.client === 'better-sqlite3' ? 500 : 1000
  const started = Date.now()
  log(`seeding ${products - have} products into the bench store (${have} there)...`)
  for (let from = have; from < products; from += BATCH * 10) {
    await transaction(async (trx: any) => {
      for (let start = from; start < Math.min(products, from + BATCH * 10); start += BATCH) {
        const rows = []
        for (let n = start; n < Math.min(products, start + BATCH); n++) {
          rows.push({
            store_id: storeId,
            category_id: null,
            name: `${BRANDS[n % 16]} ${ADJECTIVES[Math.floor(n / 16) % 16]} ${NOUNS[Math.floor(n / 256) % 20]} ${SIZES[n % 11]} ${n + 1}`,
            sku: `BENCH-${String(n + 1).padStart(7, '0')}`,
            price: 99 + ((n * 7919) % 4900),
            cost: 50 + ((n * 7919) % 2400),
            tax_class: n % 5 === 0 ? 'reduced' : 'standard',
            stock: HUGE_STOCK,
            active: true,
            created_at: now,
            updated_at: now,
          })
        }
        await trx.insertQuery().table('products').multiInsert(rows)
        const ids = await trx.from('products').where('store_id', storeId).whereIn('sku', rows.map((r) => r.sku)).select('id', 'sku', 'name')
        const barcodes = ids.map((p: any) => ({ store_id: storeId, product_id: p.id, code: ean13(`29${String(Number(p.sku.slice(6))).padStart(10, '0')}`) }))
        const words = ids.flatMap((p: any) => searchWords(p.name).map((word: string) => ({ store_id: storeId, word, product_id: p.id })))
        const movements = ids.map((p: any) => ({ store_id: storeId, product_id: p.id, quantity: HUGE_STOCK, reason: 'initial', note: 'Bench stock', created_at: now }))
        await trx.insertQuery().table('product_barcodes').multiInsert(barcodes)
        const wordBatch = BATCH === 500 ? 500 : 3000
        for (let i = 0; i < words.length; i += wordBatch) await trx.insertQuery().table('product_words').multiInsert(words.slice(i, i + wordBatch))
        await trx.insertQuery().table('stock_movements').multiInsert(movements)
      }
    })
    process.stdout.write(`  ${Math.min(products, from + BATCH * 10)} / ${products}\r`)
  }
  log(`seeded ${products - have} products in ${((Date.now() - started) / 1000).toFixed(1)}s`)
  // Top the stock back up if earlier runs sold much of it
  await db.from('products').where('store_id', storeId).where('stock', '<', HUGE_STOCK / 2).update({ stock: HUGE_STOCK })
}
