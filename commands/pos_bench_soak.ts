import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, freePort, migrate, startServer, waitForServer, type ServerProcess } from './_server.js'
import { signIn, type CookieSession } from '#tests/live_client'

/*
| node ace pos:bench-soak: the server's memory under a steady load, printed over time.
|
| Seeds a small bench store (made once, then reused), starts the real server (NODE_ENV=production,
| as pos:start does) and drives it with N clients for --seconds, each as a till and an API client
| at once: scans into its cart over htmx (voided every 20 lines), opens the till page, completes
| a 5-line sale through POST /api/sales with an Idempotency-Key, searches products and reads the
| sale back. Every --every seconds it prints the server's resident memory (RSS, from /proc), its
| peak, and the requests per second. What matters is the shape: a server that grows and then
| stays level holds bounded caches; one that keeps growing leaks.
*/

const PASSWORD = 'bench-soak-pass-1'

interface Till {
  session: CookieSession
  token: string
  registerId: number
}
const PRODUCTS = 2000

export default class PosBenchSoak extends BaseCommand {
  static commandName = 'pos:bench-soak'
  static description = 'Drive the server with a steady mixed load and print its memory (RSS) over time'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Concurrent clients (each a till and an API client)', default: 4 })
  declare clients: number

  @flags.number({ description: 'Seconds of load', default: 60 })
  declare seconds: number

  @flags.number({ description: 'Seconds between two memory readings', default: 5 })
  declare every: number

  @flags.number({ description: 'Port of the server under test (a free one is picked if taken)', default: 3397 })
  declare port: number

  @flags.string({ description: 'Extra options for the server’s node (NODE_OPTIONS), e.g. --max-semi-space-size=4' })
  declare nodeOptions: string

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    let server: ServerProcess | null = null
    try {
      await migrate()
      this.logger.info(`database: ${await describeDatabase(this.app)}`)
      const seeded = await this.#seed(Math.max(1, this.clients))
      await db.manager.closeAll()

      const port = await freePort(this.port)
      const env: Record<string, string> = { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), SESSION_DRIVER: 'cookie' }
      if (this.nodeOptions) env.NODE_OPTIONS = this.nodeOptions
      server = startServer(this.app.appRoot, env, { quiet: true })
      server.child.stdout?.resume()
      await waitForServer(server, port)
      const pid = server.child.pid!
      const baseUrl = `http://127.0.0.1:${port}`
      console.log(`server pid ${pid}, ready: RSS ${rssMb(pid)} MB${this.nodeOptions ? ` (NODE_OPTIONS=${this.nodeOptions})` : ''}`)

      const tills = await Promise.all(seeded.cashiers.map((cashier) => this.#till(baseUrl, cashier)))
      let requests = 0
      let failures = 0
      const deadline = performance.now() + this.seconds * 1000
      const count = async (response: Response, ok: (status: number) => boolean, what: string) => {
        requests++
        await response.arrayBuffer()
        if (!ok(response.status) && failures++ < 5) this.logger.warning(`${what} answered ${response.status}`)
      }
      const drive = async (till: Till) => {
        const api = (path: string, init: RequestInit = {}) =>
          fetch(baseUrl + path, { ...init, headers: { 'content-type': 'application/json', 'authorization': `Bearer ${till.token}`, ...(init.headers as any) } })
        const htmx = { 'x-csrf-token': till.session.csrf, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' }
        for (let i = 0; performance.now() < deadline; i++) {
          await count(await till.session.request('/till/scan', { method: 'POST', headers: htmx, body: `code=${pick(seeded.codes)}` }), (s) => s === 200, 'POST /till/scan')
          if (i % 20 === 19) await count(await till.session.request('/till/void', { method: 'POST', headers: htmx, body: '' }), (s) => s < 400 || s === 409, 'POST /till/void')
          if (i % 10 === 0) await count(await till.session.request('/till'), (s) => s === 200, 'GET /till')
          const items = new Set<number>()
          while (items.size < 5) items.add(pick(seeded.productIds))
          const sale = await api('/api/sales', {
            method: 'POST',
            headers: { 'idempotency-key': randomUUID() },
            body: JSON.stringify({ items: [...items].map((id) => ({ product_id: id, quantity: 1 })), payment_method: 'cash', register_id: till.registerId }),
          })
          const saleId = sale.status === 201 ? ((await sale.clone().json()) as any).id : null
          await count(sale, (s) => s === 201, 'POST /api/sales')
          await count(await api(`/api/products?search=${pick(['Soak', 'Tea', 'Coffee', String(i % 97)])}`), (s) => s === 200, 'GET /api/products')
          if (saleId) await count(await api(`/api/sales/${saleId}`), (s) => s === 200, 'GET /api/sales/:id')
        }
      }

      const readings: string[] = []
      const started = performance.now()
      let lastCount = 0
      let lastAt = started
      const timer = setInterval(() => {
        const now = performance.now()
        const line = `${String(Math.round((now - started) / 1000)).padStart(4)} s  RSS ${String(rssMb(pid)).padStart(4)} MB  peak ${String(peakMb(pid)).padStart(4)} MB  ${Math.round(((requests - lastCount) * 1000) / (now - lastAt))} req/s`
        lastCount = requests
        lastAt = now
        readings.push(line)
        console.log(line)
      }, this.every * 1000)
      await Promise.all(tills.map(drive))
      clearInterval(timer)
      const seconds = (performance.now() - started) / 1000
      console.log(`${requests} requests in ${seconds.toFixed(0)} s (${Math.round(requests / seconds)} req/s), ${failures} failed; RSS at the end ${rssMb(pid)} MB, peak ${peakMb(pid)} MB`)
      if (failures) this.exitCode = 1
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
    } finally {
      await server?.stop()
    }
  }

  /** A cashier signed in on the till (its register chosen) and on the API */
  async #till(baseUrl: string, cashier: { email: string; registerId: number }): Promise<Till> {
    const session: CookieSession = await signIn(baseUrl, cashier.email, PASSWORD)
    let page = await session.request('/till')
    let html = await page.text()
    if (html.includes('action="/till/register"')) {
      await session.request('/till/register', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ register_id: String(cashier.registerId), _csrf: session.csrf }).toString(),
      })
      page = await session.request('/till')
      html = await page.text()
    }
    session.csrf = html.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)?.[1] ?? html.match(/"x-csrf-token":\s*"([^"]+)"/)?.[1] ?? session.csrf
    const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: cashier.email, password: PASSWORD }) })
    const { token } = (await login.json()) as { token: string }
    return { session, token, registerId: cashier.registerId }
  }

  /** A store with a register, an open shift and a cashier per client, and PRODUCTS products with barcodes */
  async #seed(clients: number) {
    const { default: Store } = await import('#models/store')
    const { default: Register } = await import('#models/register')
    const { default: User } = await import('#models/user')
    const { default: Product } = await import('#models/product')
    const { default: CatalogService } = await import('#catalog/catalog_service')
    const { default: ShiftService } = await import('#shifts/shift_service')
    const db = (await import('@adonisjs/lucid/services/db')).default
    const tag = randomUUID().slice(0, 8)
    let store = await Store.findBy('name', 'Soak bench')
    if (!store) {
      store = await Store.create({ name: 'Soak bench', currency: 'USD', timeZone: 'UTC', pricesIncludeTax: false, allowNegativeStock: true, cashRounding: 1 })
      const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
      await db.table('tax_rates').insert({ store_id: store.id, tax_class: 'standard', name: 'Tax', rate_ppm: 80_000, created_at: now, updated_at: now })
      await User.create({ storeId: store.id, name: 'Soak Manager', email: `soak-manager.${tag}@bench.local`, password: PASSWORD, role: 'manager', active: true })
    }
    const catalog = new CatalogService()
    const names = ['Soak Tea', 'Soak Coffee', 'Soak Chips', 'Soak Soap']
    for (let have = Number((await db.from('products').where('store_id', store.id).count('* as n').first()).n); have < PRODUCTS; have++) {
      await catalog.create(store, { name: `${names[have % names.length]} ${have}`, sku: `SOAK-${have}`, barcodes: [ean13(200_000_000_000 + have)], price: 100 + (have % 900), stock: 1_000_000 })
    }
    const products = await Product.query().where('store_id', store.id).select('id')
    const codes = (await db.from('product_barcodes').where('store_id', store.id).select('code')).map((r) => r.code as string)

    const manager = await User.query().where('store_id', store.id).where('role', 'manager').firstOrFail()
    const registers = await Register.query().where('store_id', store.id).orderBy('id')
    for (let i = registers.length; i < clients; i++) registers.push(await Register.create({ storeId: store.id, name: `Soak register ${i + 1}`, lastSaleNumber: 0 }))
    const cashiers = await User.query().where('store_id', store.id).where('role', 'cashier').orderBy('id')
    for (let i = cashiers.length; i < clients; i++) {
      cashiers.push(await User.create({ storeId: store.id, name: `Soak Cashier ${i + 1}`, email: `soak-cashier-${i + 1}.${tag}@bench.local`, password: PASSWORD, role: 'cashier', active: true }))
    }
    const shifts = new ShiftService()
    for (const register of registers.slice(0, clients)) {
      if (!(await shifts.current(store.id, register.id))) await shifts.open({ user: manager, store }, register.id, { amount: 10_000 })
    }
    return {
      productIds: products.map((p) => p.id),
      codes,
      cashiers: cashiers.slice(0, clients).map((c, i) => ({ email: c.email, registerId: registers[i].id })),
    }
  }
}

function pick<T>(list: T[]): T {
  return list[Math.floor(Math.random() * list.length)]
}

/** A valid EAN-13 from its first 12 digits */
function ean13(first12: number) {
  const digits = String(first12).padStart(12, '0')
  const sum = [...digits].reduce((acc, d, i) => acc + Number(d) * (i % 2 ? 3 : 1), 0)
  return digits + ((10 - (sum % 10)) % 10)
}

function statusField(pid: number, field: string) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(field))
  return Math.round(Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024)
}

const rssMb = (pid: number) => statusField(pid, 'VmRSS:')
const peakMb = (pid: number) => statusField(pid, 'VmHWM:')
