import { randomUUID } from 'node:crypto'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, freePort, migrate, startServer, waitForServer, type ServerProcess, percentile } from './_server.js'
import { LiveStream, signIn } from '#tests/live_client'

/*
| node ace pos:bench-live: the delay from a sale to the stock update seen by connected tills.
|
| Seeds a small bench store, starts the real server (NODE_ENV=production) and connects N
| subscribers (server-sent event streams on /__transmit/events, each subscribed to the store's
| stock channel, as N tills would be). Then it completes sales one after the other through
| POST /api/sales and measures, for every subscriber, the time from sending the sale to the
| stock message arriving. Prints p50/p95/p99 over all (sale, subscriber) pairs, after --warmup
| sales that are not counted (the first sale after a start compiles and warms its code paths).
*/

const PASSWORD = 'bench-live-pass-1'

export default class PosBenchLive extends BaseCommand {
  static commandName = 'pos:bench-live'
  static description = 'Measure the delay from a sale to the stock update on N connected SSE subscribers'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Connected subscribers (tills)', default: 200 })
  declare subscribers: number

  @flags.number({ description: 'Sales to complete, one after the other', default: 50 })
  declare sales: number

  @flags.number({ description: 'Sales before the measured ones (the server compiles and warms its code paths and pools on the first ones)', default: 5 })
  declare warmup: number

  @flags.number({ description: 'Port of the server under test (a free one is picked if taken)', default: 3398 })
  declare port: number

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    let server: ServerProcess | null = null
    const streams: LiveStream[] = []
    try {
      await migrate()
      this.logger.info(`database: ${await describeDatabase(this.app)}`)
      const seeded = await this.#seed()
      await db.manager.closeAll()

      const port = await freePort(this.port)
      // One person's N streams: past the 50 a person may open by default on a server (app/platform/live_streams.ts)
      server = startServer(this.app.appRoot, { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), SESSION_DRIVER: 'cookie', LIVE_STREAMS_PER_USER: String(this.subscribers) }, { quiet: true })
      server.child.stdout?.resume()
      await waitForServer(server, port)
      const baseUrl = `http://127.0.0.1:${port}`

      // One signed-in session, N streams (N tills of one store)
      const session = await signIn(baseUrl, seeded.managerEmail, PASSWORD)
      const subscribers = Math.max(1, Math.min(2000, this.subscribers))
      for (let i = 0; i < subscribers; i += 20) {
        const batch = await Promise.all(Array.from({ length: Math.min(20, subscribers - i) }, () => new LiveStream(session).open()))
        streams.push(...batch)
        const statuses = await Promise.all(batch.map((s) => s.subscribe(`stores/${seeded.storeId}/stock`)))
        if (statuses.some((s) => s !== 204)) throw new Error(`A subscription was refused: ${statuses.join(',')}`)
      }
      this.logger.info(`${streams.length} subscribers connected`)

      const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: seeded.cashierEmail, password: PASSWORD }) })
      const { token } = (await login.json()) as { token: string }
      const delays: number[] = []
      let stock = seeded.stock
      const warmup = Math.max(0, this.warmup)
      for (let i = 0; i < warmup + this.sales; i++) {
        stock -= 1
        const expected = stock
        const arrivals = streams.map((s) => s.waitFor((m) => m.payload?.reason === 'sale' && m.payload.products?.[0]?.stock === expected))
        const sentAt = performance.now()
        // By card: cash goes only into a register with an open shift, which the bench store has not
        const response = await fetch(`${baseUrl}/api/sales`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}`, 'idempotency-key': randomUUID() },
          body: JSON.stringify({ items: [{ product_id: seeded.productId, quantity: 1 }], payment_method: 'card_external' }),
        })
        if (response.status !== 201) throw new Error(`A sale answered ${response.status}`)
        await response.arrayBuffer()
        for (const message of await Promise.all(arrivals)) if (i >= warmup) delays.push(message.receivedAt - sentAt)
        for (const s of streams) s.messages.length = 0
      }

      const sorted = delays.sort((a, b) => a - b)
      const fmt = (v: number) => `${v.toFixed(1)} ms`
      this.logger.info(`sale -> stock update on ${streams.length} subscribers, ${this.sales} sales (${sorted.length} deliveries):`)
      const p99 = percentile(sorted, 99)
      console.log(`  p50 ${fmt(percentile(sorted, 50))}   p95 ${fmt(percentile(sorted, 95))}   p99 ${fmt(p99)}   max ${fmt(sorted.at(-1) ?? NaN)}   (budget: p99 < 250 ms)`)
      if (!(p99 < 250)) {
        this.logger.error('budget missed: p99 of sale -> stock update')
        this.exitCode = 1
      }
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
    } finally {
      for (const s of streams) s.close()
      await server?.stop()
    }
  }

  /** A store with a manager, a cashier and one product with plenty of stock (made once, then reused) */
  async #seed() {
    const { default: Store } = await import('#models/store')
    const { default: Register } = await import('#models/register')
    const { default: User } = await import('#models/user')
    const { default: Product } = await import('#models/product')
    const { default: CatalogService } = await import('#catalog/catalog_service')
    const { dbTimestamp } = await import('#platform/db_time')
    const existing = await Store.findBy('name', 'Live bench')
    if (existing) {
      const product = await Product.query().where('store_id', existing.id).firstOrFail()
      const staff = await User.query().where('store_id', existing.id).orderBy('id')
      const email = (role: string) => staff.find((user) => user.role === role)!.email
      return { storeId: existing.id, productId: product.id, stock: product.stock, managerEmail: email('manager'), cashierEmail: email('cashier') }
    }
    const tag = randomUUID().slice(0, 8)
    const store = await Store.create({ name: 'Live bench', currency: 'USD', timeZone: 'UTC', pricesIncludeTax: false, allowNegativeStock: false, cashRounding: 1 })
    await Register.create({ storeId: store.id, name: 'Register 1', lastSaleNumber: 0 })
    const now = dbTimestamp()
    await Store.query().client.table('tax_rates').insert({ store_id: store.id, tax_class: 'standard', name: 'Tax', rate_ppm: 0, created_at: now, updated_at: now })
    const manager = await User.create({ storeId: store.id, name: 'Bench Manager', email: `live-manager.${tag}@bench.local`, password: PASSWORD, role: 'manager', active: true })
    const cashier = await User.create({ storeId: store.id, name: 'Bench Cashier', email: `live-cashier.${tag}@bench.local`, password: PASSWORD, role: 'cashier', active: true })
    const stock = 1_000_000
    const product = await new CatalogService().create(store, { name: 'Live bench product', sku: `LIVE-${tag}`, price: 100, stock })
    return { storeId: store.id, productId: product.id, stock, managerEmail: manager.email, cashierEmail: cashier.email }
  }
}
