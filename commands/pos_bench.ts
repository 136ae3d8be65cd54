import { randomUUID } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { readdirSync, readFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, freePort, migrate, startServer, waitForServer, type ServerProcess, percentile } from './_server.js'
import { limitSalesPerSecond, prepareLimit } from './_bench_limit.js'

/*
| node ace pos:bench: the performance budgets of ARCHITECTURE.md, measured over real HTTP.
|
| Seeds a dedicated bench store (100,000 products with EAN-13 barcodes and a huge stock) on the
| configured database, starts the real server on 127.0.0.1 (NODE_ENV=production) and drives it
| with N concurrent keep-alive clients (one till, register and cashier each):
|   scan-to-cart: POST /till/scan as cashiers signed in through the session form (cart partial back)
|   sale:         POST /api/sales with 5 lines, cash, an Idempotency-Key, one register per client
|   first page:   GET /till and the CSS/JS it references, gzip, bytes on the wire
| Scans and sales run twice: back to back (each client sends the next request as soon as it has
| its answer: the server's throughput, and latencies that are mostly queueing) and at till pace
| (each till one scan per --scan-interval ms, one sale per --sale-interval ms: what a cashier
| waits). The latency budgets are judged at till pace, sales per second back to back; both are
| printed. CPU milliseconds per request (server, local database, bench client) come from /proc.
| Each latency is printed twice: the server's own time (its Server-Timing header), by which the
| budgets are judged as ARCHITECTURE.md words them, and what the bench client waited (that, plus
| HTTP over loopback and the client's own event loop, which drives eight tills at once).
| --workers N runs the server with WEB_CONCURRENCY=N. The command exits 1 when a budget is missed,
| unless --report-only.
*/

const BENCH_PASSWORD = 'bench-pass-1'
const HUGE_STOCK = 1_000_000

const BRANDS = ['Acme', 'Northwind', 'Contoso', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Gringotts', 'Wonka', 'Oceanic', 'Cyberdyne']
const ADJECTIVES = ['Classic', 'Organic', 'Spicy', 'Sweet', 'Smoked', 'Fresh', 'Crispy', 'Light', 'Extra', 'Premium', 'Roasted', 'Frozen', 'Whole', 'Natural', 'Golden', 'Dark']
const NOUNS = ['Coffee', 'Tea', 'Chips', 'Cookies', 'Pasta', 'Rice', 'Beans', 'Soup', 'Cereal', 'Juice', 'Soda', 'Yogurt', 'Cheese', 'Bread', 'Crackers', 'Sauce', 'Soap', 'Shampoo', 'Candles', 'Batteries']
const SIZES = ['100 g', '250 g', '500 g', '1 kg', '12 oz', '16 oz', '1 L', '2 L', '6 pk', '12 pk', '24 ct']

interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

class Client {
  cookies = new Map<string, string>()
  csrf = ''

  constructor(
    private agent: Agent,
    private port: number
  ) {}

  request(method: string, path: string, options: { headers?: Record<string, string>; body?: string; timeoutMs?: number; retried?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair] = line.split(';')
            const eq = pair.indexOf('=')
            const name = pair.slice(0, eq).trim()
            const value = pair.slice(eq + 1).trim()
            if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name)
            else this.cookies.set(name, value)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
        })
        res.on('error', reject)
      })
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as it was reused: the request never reached the
        // server, so it is sent again once (Node's documented way out of that race)
        if (req.reusedSocket && error.code === 'ECONNRESET' && !options.retried) {
          this.request(method, path, { ...options, retried: true }).then(resolve, reject)
        } else {
          reject(error)
        }
      })
      if (options.body !== undefined) req.write(options.body)
      req.end()
    })
  }

  form(path: string, fields: Record<string, string | number>, headers: Record<string, string> = {}) {
    const pairs: [string, string][] = Object.entries(fields).map(([k, v]) => [k, String(v)])
    const body = new URLSearchParams(pairs).toString()
    return this.request('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body })
  }

  /** The CSRF token a page carries: the hidden _csrf input, or the hx-headers of <body> */
  readCsrf(html: string) {
    const token =
      html.match(/name="_csrf"\s+value="([^"]+)"/)?.[1] ??
      html.match(/value="([^"]+)"\s+name="_csrf"/)?.[1] ??
      html.match(/"x-csrf-token"\s*:\s*"([^"]+)"/)?.[1] ??
      html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1]
    if (token) this.csrf = token
    return token
  }
}

interface Fixture {
  storeId: number
  registers: number[]
  cashiers: { email: string; registerId: number }[]
  codes: string[]
  productIds: number[]
  products: number
}

interface PageWeight {
  /** Server time of GET /till, 50 loads: the first page reads the register, its cart and the categories, never the catalog */
  server: ReturnType<typeof stats>
  html: { bytes: number; encoding: string }
  assets: { path: string; bytes: number; encoding: string; status: number }[]
}

interface Timing {
  /** What the bench client waited */
  client: number
  /** What the server says it worked (Server-Timing: app;dur=) */
  server: number
}

/** The server's own time for a request, from its Server-Timing header (NaN without one) */
function serverTime(res: Response) {
  const header = String(res.headers['server-timing'] ?? '')
  return Number(/app;dur=([\d.]+)/.exec(header)?.[1] ?? NaN)
}

type Phase = ReturnType<typeof stats> & { seconds: number; cpu: ReturnType<typeof cpuPer>; perSecond: number; paced: ReturnType<typeof stats>; pacedServer: ReturnType<typeof stats> }

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN }
}

interface ProcessStat {
  pid: number
  ppid: number
  command: string
  cpuSeconds: number
}

/** Every process's parent and CPU time so far, from Linux's /proc (empty elsewhere) */
function processStats(): ProcessStat[] {
  const found: ProcessStat[] = []
  let pids: string[] = []
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return found
  }
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const close = text.lastIndexOf(')')
      const fields = text.slice(close + 2).split(' ')
      // After "pid (comm) ": state ppid ... utime is field 14 and stime 15 of the whole line, in 1/100 s
      found.push({ pid: Number(pid), ppid: Number(fields[1]), command: text.slice(text.indexOf('(') + 1, close), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 })
    } catch {
      // the process ended meanwhile
    }
  }
  return found
}

/**
 * CPU seconds of the server under test (with its worker processes) and of a database server
 * running on this machine: per sale they show where the time goes, whatever else the machine does
 */
function cpuSnapshot(serverPid: number) {
  const stats = processStats()
  const children = new Map<number, ProcessStat[]>()
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat])
  let server = 0
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      server += child.cpuSeconds
      visit(child.pid)
    }
  }
  server += stats.find((s) => s.pid === serverPid)?.cpuSeconds ?? NaN
  visit(serverPid)
  const database = stats.filter((s) => s.command === 'mariadbd' || s.command === 'mysqld').reduce((sum, s) => sum + s.cpuSeconds, 0)
  const usage = process.cpuUsage()
  return { server, database, client: (usage.user + usage.system) / 1e6 }
}

type CpuSnapshot = ReturnType<typeof cpuSnapshot>

/** CPU milliseconds per operation between two snapshots */
function cpuPer(before: CpuSnapshot, after: CpuSnapshot, operations: number) {
  const per = (key: keyof CpuSnapshot) => ((after[key] - before[key]) * 1000) / Math.max(1, operations)
  return { server: per('server'), database: per('database'), client: per('client') }
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-')
const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]

export default class PosBench extends BaseCommand {
  static commandName = 'pos:bench'
  static description = 'Seed a bench store and measure scan-to-cart, sale completion and the till page weight over HTTP'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Products in the bench store', default: 100_000 })
  declare products: number

  @flags.number({ description: 'Sales to complete through POST /api/sales', default: 6000 })
  declare sales: number

  @flags.number({ description: 'Sales per client before the measured ones (JIT and pools warm up)', default: 50 })
  declare warmup: number

  @flags.number({ description: 'Scans through POST /till/scan', default: 2000 })
  declare scans: number

  @flags.number({ description: 'At till pace: milliseconds between two scans of one till', default: 100 })
  declare scanInterval: number

  @flags.number({ description: 'At till pace: milliseconds between two sales of one till', default: 250 })
  declare saleInterval: number

  @flags.number({ description: 'At till pace: scans and sales per till', default: 100 })
  declare paced: number

  @flags.number({ description: 'Concurrent clients', default: 8 })
  declare concurrency: number

  @flags.number({ description: 'Port of the server under test (a free one is picked if taken)', default: 3399 })
  declare port: number

  @flags.number({ description: 'HTTP worker processes of the server under test (WEB_CONCURRENCY; default: that variable, else 1)' })
  declare workers?: number

  @flags.boolean({ description: 'Only report: exit 0 even when a budget is missed' })
  declare reportOnly: boolean

  #serverLog: string[] = []
  #failures: string[] = []

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const concurrency = Math.max(1, Math.min(64, this.concurrency))
    const started = Date.now()
    let server: ServerProcess | null = null
    const stopOnSignal = () => {
      server?.stop('SIGTERM')
      process.exitCode = 130
    }
    process.once('SIGINT', stopOnSignal)
    process.once('SIGTERM', stopOnSignal)

    try {
      await migrate(this.app)
      const database = await describeDatabase(this.app)
      const isMysql = !database.startsWith('SQLite')
      this.logger.info(`database: ${database}`)
      const fixture = await this.#seed(concurrency)
      const cashierId = Number((await db.from('users').where('email', fixture.cashiers[0].email).first())?.id)
      const limitTarget = isMysql ? await prepareLimit(db, fixture.storeId, cashierId, concurrency) : null
      await db.manager.closeAll()

      const port = await freePort(this.port)
      const workers = Math.max(1, this.workers ?? (Number(process.env.WEB_CONCURRENCY) || 1))
      server = startServer(
        this.app.appRoot,
        { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), APP_URL: `http://127.0.0.1:${port}`, WEB_CONCURRENCY: String(workers) },
        { quiet: true }
      )
      server.child.stdout?.on('data', (chunk) => this.#keepLog(chunk))
      await waitForServer(server, port)
      this.logger.info(`server under test: http://127.0.0.1:${port} (NODE_ENV=production, ${workers} worker process${workers > 1 ? 'es' : ''}, pid ${server.child.pid})`)

      const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 })
      const serverPid = server.child.pid!
      const scan = await this.#benchScans(agent, port, fixture, concurrency, serverPid)
      const sale = await this.#benchSales(agent, port, fixture, concurrency, serverPid)
      // The limit: the same rows in the same round trips from a bare mysql2 client (_bench_limit.ts)
      let limit: Awaited<ReturnType<typeof limitSalesPerSecond>> | null = null
      if (limitTarget) {
        this.logger.info(`the limit: ${this.sales} sales of the same rows from a bare mysql2 client, ${concurrency} connections`)
        limit = await limitSalesPerSecond(limitTarget, this.sales, concurrency)
      }
      const weight = await this.#pageWeight(agent, port, fixture)
      agent.destroy()

      const missed = this.#report({ database, isMysql, concurrency, workers, scan, sale, limit, products: fixture.products, weight, seconds: (Date.now() - started) / 1000 })
      if (missed.length) {
        this.logger.warning(`budget missed: ${missed.join(', ')}`)
        if (!this.reportOnly) this.exitCode = 1
      }
    } catch (error) {
      this.logger.error(`The benchmark stopped: ${(error as Error).message.slice(0, 600)}`)
      this.exitCode = 1
    } finally {
      process.off('SIGINT', stopOnSignal)
      process.off('SIGTERM', stopOnSignal)
      if (server) await server.stop()
      await db.manager.closeAll()
    }
    if (this.#failures.length) {
      this.logger.error(`${this.#failures.length} request(s) failed; first ones:`)
      for (const failure of this.#failures.slice(0, 5)) this.logger.error(`  ${failure}`)
      const errors = this.#serverLog.filter((line) => /"level":(50|60)/.test(line))
      for (const line of errors.slice(-5)) this.logger.error(`  server: ${line.slice(0, 400)}`)
      this.exitCode = 1
    }
  }

  // ------------------------------------------------------------------ seeding

  async #seed(concurrency: number): Promise<Fixture> {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const hash = (await import('@adonisjs/core/services/hash')).default
    const { BENCH_STORE_NAME } = await import('#stores/demo_store_service')
    const { searchWords } = await import('#catalog/catalog_service')
    const { ean13 } = await import('#core/barcode')
    const { dbTimestamp } = await import('#platform/db_time')
    const { transaction } = await import('#platform/db_transaction')
    const { default: Store } = await import('#models/store')
    const { default: User } = await import('#models/user')
    const { default: Register } = await import('#models/register')

    let store = await Store.findBy('name', BENCH_STORE_NAME)
    if (!store) {
      store = await Store.create({ name: BENCH_STORE_NAME, address: 'Benchmark', currency: 'USD', timeZone: 'America/New_York', allowNegativeStock: false, pricesIncludeTax: false, cashRounding: 1 })
      const now = dbTimestamp()
      await db.insertQuery().table('tax_rates').multiInsert([
        { store_id: store.id, tax_class: 'standard', name: 'Sales tax', rate_ppm: 88750, created_at: now, updated_at: now },
        { store_id: store.id, tax_class: 'reduced', name: 'Reduced', rate_ppm: 20000, created_at: now, updated_at: now },
        { store_id: store.id, tax_class: 'zero', name: 'No tax', rate_ppm: 0, created_at: now, updated_at: now },
      ])
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
    const { default: ShiftService } = await import('#shifts/shift_service')
    const shifts = new ShiftService()
    const opener = await User.findByOrFail('email', cashiers[0].email)
    for (const register of registers.slice(0, concurrency)) {
      if (!(await shifts.current(storeId, register.id))) await shifts.open({ user: opener, store }, register.id, { amount: 10_000 })
    }

    // Products, in batches of 1,000 rows per INSERT (500 on SQLite, whose compound SELECT stops
    // at 500 terms), 10 batches per transaction
    const config: any = db.manager.get(db.primaryConnectionName)?.config
    const BATCH = config?.client === 'better-sqlite3' ? 500 : 1000
    const have = Number((await db.from('products').where('store_id', storeId).count('* as n').first())?.n ?? 0)
    if (have < this.products) {
      const seedStart = Date.now()
      const at = dbTimestamp()
      const atText = at
      this.logger.info(`seeding ${this.products - have} products into "${BENCH_STORE_NAME}" (${have} there)...`)
      for (let from = have; from < this.products; from += BATCH * 10) {
        await transaction(async (trx) => {
          for (let start = from; start < Math.min(this.products, from + BATCH * 10); start += BATCH) {
            const end = Math.min(this.products, start + BATCH)
            const rows = []
            for (let n = start; n < end; n++) {
              const name = `${BRANDS[n % 16]} ${ADJECTIVES[Math.floor(n / 16) % 16]} ${NOUNS[Math.floor(n / 256) % 20]} ${SIZES[n % 11]} ${n + 1}`
              rows.push({
                store_id: storeId,
                category_id: null,
                name,
                sku: `BENCH-${String(n + 1).padStart(7, '0')}`,
                price: 99 + ((n * 7919) % 4900),
                cost: 50 + ((n * 7919) % 2400),
                tax_class: n % 5 === 0 ? 'reduced' : 'standard',
                stock: HUGE_STOCK,
                active: true,
                created_at: atText,
                updated_at: atText,
              })
            }
            await trx.insertQuery().table('products').multiInsert(rows)
            const ids = await trx
              .from('products')
              .where('store_id', storeId)
              .whereIn('sku', rows.map((r) => r.sku))
              .select('id', 'sku', 'name')
            const barcodes = ids.map((p) => ({ store_id: storeId, product_id: p.id, code: ean13(`29${String(Number(p.sku.slice(6))).padStart(10, '0')}`) }))
            const words = ids.flatMap((p) => searchWords(p.name).map((word) => ({ store_id: storeId, word, product_id: p.id })))
            const movements = ids.map((p) => ({ store_id: storeId, product_id: p.id, quantity: HUGE_STOCK, reason: 'initial', note: 'Bench stock', created_at: at }))
            await trx.insertQuery().table('product_barcodes').multiInsert(barcodes)
            const wordBatch = BATCH === 500 ? 500 : 3000
            for (let i = 0; i < words.length; i += wordBatch) await trx.insertQuery().table('product_words').multiInsert(words.slice(i, i + wordBatch))
            await trx.insertQuery().table('stock_movements').multiInsert(movements)
          }
        })
        process.stdout.write(`  ${Math.min(this.products, from + BATCH * 10)} / ${this.products}\r`)
      }
      this.logger.success(`seeded ${this.products - have} products in ${((Date.now() - seedStart) / 1000).toFixed(1)}s`)
    } else {
      this.logger.info(`"${BENCH_STORE_NAME}" already has ${have} products`)
    }

    // Top the stock back up if earlier runs sold much of it
    await db.from('products').where('store_id', storeId).where('stock', '<', HUGE_STOCK / 2).update({ stock: HUGE_STOCK })

    const barcodes = (await db.from('product_barcodes').where('store_id', storeId).select('code', 'product_id')) as { code: string; product_id: number }[]
    const productIds = barcodes.map((b) => Number(b.product_id))
    return { storeId, registers: registers.map((r) => r.id), cashiers, codes: barcodes.map((b) => b.code), productIds, products: Math.max(have, this.products) }
  }

  // ------------------------------------------------------------------ scan to cart

  async #signInTill(client: Client, email: string, registerId: number) {
    const login = await client.request('GET', '/login')
    if (login.status !== 200 || !client.readCsrf(login.body.toString())) throw new Error(`GET /login answered ${login.status} without a CSRF token`)
    const posted = await client.form('/login', { email, password: BENCH_PASSWORD, _csrf: client.csrf })
    if (posted.status !== 302 || String(posted.headers.location).includes('/login')) throw new Error(`signing in ${email} failed (${posted.status} -> ${posted.headers.location})`)
    let till = await client.request('GET', '/till')
    if (till.status === 200 && till.body.toString().includes('action="/till/register"')) {
      client.readCsrf(till.body.toString())
      const chosen = await client.form('/till/register', { register_id: registerId, _csrf: client.csrf })
      if (chosen.status >= 400) throw new Error(`POST /till/register answered ${chosen.status}`)
      till = await client.request('GET', '/till')
    }
    if (till.status !== 200) throw new Error(`GET /till answered ${till.status}`)
    client.readCsrf(till.body.toString())
  }

  async #benchScans(agent: Agent, port: number, fixture: Fixture, concurrency: number, serverPid: number) {
    const clients = fixture.cashiers.map(() => new Client(agent, port))
    await Promise.all(clients.map((c, i) => this.#signInTill(c, fixture.cashiers[i].email, fixture.cashiers[i].registerId)))
    const htmx = (c: Client) => ({ 'x-csrf-token': c.csrf, 'hx-request': 'true', accept: 'text/html' })
    const voidCart = async (c: Client) => {
      const res = await c.form('/till/void', {}, htmx(c))
      if (res.status >= 400 && res.status !== 409) this.#fail(`POST /till/void -> ${res.status} ${res.body.toString().slice(0, 120)}`)
    }
    await Promise.all(clients.map(voidCart))

    const scanOnce = async (client: Client, i: number) => {
      const startedAt = performance.now()
      const res = await client.form('/till/scan', { code: pick(fixture.codes) }, htmx(client))
      const elapsed = performance.now() - startedAt
      // Keep carts small, like real baskets: void every 20 scans (not timed)
      if ((i + 1) % 20 === 0) await voidCart(client)
      if (res.status === 200) return { client: elapsed, server: serverTime(res) }
      this.#fail(`POST /till/scan -> ${res.status} ${res.body.toString().slice(0, 160)}`)
      return null
    }
    // Warm up, then back to back: every client scans again as soon as it has its answer
    await Promise.all(clients.map(async (client) => { for (let i = 0; i < 10; i++) await scanOnce(client, i) }))
    await Promise.all(clients.map(voidCart))
    const perClient = Math.ceil(this.scans / concurrency)
    this.logger.info(`scan-to-cart back to back: ${perClient * concurrency} scans, ${concurrency} clients`)
    const cpuBefore = cpuSnapshot(serverPid)
    const phaseStart = performance.now()
    const latencies = await this.#loop(clients, perClient, 0, scanOnce)
    const seconds = (performance.now() - phaseStart) / 1000
    const cpu = cpuPer(cpuBefore, cpuSnapshot(serverPid), latencies.client.length)
    await Promise.all(clients.map(voidCart))

    this.logger.info(`scan-to-cart at till pace: ${this.paced} scans per till, one every ${this.scanInterval} ms, ${concurrency} tills`)
    const paced = await this.#loop(clients, this.paced, this.scanInterval, scanOnce)
    await Promise.all(clients.map(voidCart))
    return { ...stats(latencies.client), seconds, cpu, perSecond: latencies.client.length / seconds, paced: stats(paced.client), pacedServer: stats(paced.server) }
  }

  /**
   * Each client runs the action `times` times; with an interval, it starts one every interval ms
   * (a till at a cashier's pace, from a random start), else again as soon as it has its answer
   */
  async #loop<C>(clients: C[], times: number, intervalMs: number, action: (client: C, i: number) => Promise<Timing | null>) {
    const latencies = { client: [] as number[], server: [] as number[] }
    await Promise.all(
      clients.map(async (client) => {
        if (intervalMs) await sleep(Math.random() * intervalMs)
        for (let i = 0; i < times; i++) {
          const startedAt = performance.now()
          const timing = await action(client, i)
          if (timing !== null) {
            latencies.client.push(timing.client)
            latencies.server.push(timing.server)
          }
          if (intervalMs) await sleep(Math.max(0, startedAt + intervalMs - performance.now()))
        }
      })
    )
    return latencies
  }

  // ------------------------------------------------------------------ completing sales

  async #benchSales(agent: Agent, port: number, fixture: Fixture, concurrency: number, serverPid: number) {
    const clients = await Promise.all(
      fixture.cashiers.map(async (cashier) => {
        const client = new Client(agent, port)
        const res = await client.request('POST', '/api/auth/login', {
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ email: cashier.email, password: BENCH_PASSWORD }),
        })
        if (res.status !== 200) throw new Error(`POST /api/auth/login answered ${res.status}: ${res.body.toString().slice(0, 200)}`)
        return { client, token: JSON.parse(res.body.toString()).token as string, registerId: cashier.registerId }
      })
    )
    const sell = async ({ client, token, registerId }: (typeof clients)[number]) => {
      const items = new Set<number>()
      while (items.size < 5) items.add(pick(fixture.productIds))
      const body = JSON.stringify({
        items: [...items].map((id) => ({ product_id: id, quantity: 1 })),
        payment_method: 'cash',
        tendered: 10_000_000,
        register_id: registerId,
      })
      const startedAt = performance.now()
      const res = await client.request('POST', '/api/sales', {
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
        body,
      })
      const elapsed = performance.now() - startedAt
      if (res.status !== 201) {
        this.#fail(`POST /api/sales -> ${res.status} ${res.body.toString().slice(0, 160)}`)
        return null
      }
      return { client: elapsed, server: serverTime(res) }
    }

    // Warm up the JIT and the pools (a till server runs for hours: its steady state is what counts), then measure
    await Promise.all(clients.map(async (c) => { for (let i = 0; i < this.warmup; i++) await sell(c) }))

    // A baseline for reading the numbers: one client, GET /api/auth/me (routing, token auth, one query)
    const baseline: number[] = []
    for (let i = 0; i < 200; i++) {
      const startedAt = performance.now()
      const res = await clients[0].client.request('GET', '/api/auth/me', { headers: { accept: 'application/json', authorization: `Bearer ${clients[0].token}` } })
      if (res.status === 200 && i >= 20) baseline.push(performance.now() - startedAt)
    }
    const perClient = Math.ceil(this.sales / concurrency)
    this.logger.info(`sales back to back: ${perClient * concurrency} sales of 5 lines, ${concurrency} clients`)
    const tripsBefore = await this.#roundTrips(clients[0].client)
    const cpuBefore = cpuSnapshot(serverPid)
    const phaseStart = performance.now()
    const latencies = await this.#loop(clients, perClient, 0, sell)
    const seconds = (performance.now() - phaseStart) / 1000
    const cpu = cpuPer(cpuBefore, cpuSnapshot(serverPid), latencies.client.length)
    const roundTrips = ((await this.#roundTrips(clients[0].client)) - tripsBefore) / Math.max(1, latencies.client.length)
    this.logger.info(`sales at till pace: ${this.paced} sales per till, one every ${this.saleInterval} ms, ${concurrency} tills`)
    const paced = await this.#loop(clients, this.paced, this.saleInterval, sell)
    return { ...stats(latencies.client), seconds, cpu, perSecond: latencies.client.length / seconds, paced: stats(paced.client), pacedServer: stats(paced.server), baseline: stats(baseline), roundTrips }
  }

  /** The server's MySQL/MariaDB round trips so far (its /metrics, from loopback); NaN when unknown */
  async #roundTrips(client: Client) {
    const res = await client.request('GET', '/metrics', { headers: { accept: 'text/plain' } })
    return Number(/^pos_db_round_trips_total (\d+)/m.exec(res.body.toString())?.[1] ?? NaN)
  }

  // ------------------------------------------------------------------ first page weight

  async #pageWeight(agent: Agent, port: number, fixture: Fixture): Promise<PageWeight> {
    const client = new Client(agent, port)
    await this.#signInTill(client, fixture.cashiers[0].email, fixture.cashiers[0].registerId)
    const gzip = { 'accept-encoding': 'gzip, deflate, br' }
    const times: number[] = []
    for (let i = 0; i < 60; i++) {
      const res = await client.request('GET', '/till', { headers: gzip })
      if (i >= 10 && res.status === 200) times.push(serverTime(res))
    }
    const page = await client.request('GET', '/till', { headers: gzip })
    // The page comes compressed in production: read it to find every script and stylesheet it loads
    const pageEncoding = page.headers['content-encoding']
    const html = (pageEncoding === 'br' ? brotliDecompressSync(page.body) : pageEncoding === 'gzip' ? gunzipSync(page.body) : page.body).toString()
    const referenced = new Set<string>(['/css/app.css', '/js/app.js', '/vendor/htmx.min.js', '/vendor/alpine.min.js'])
    for (const match of html.matchAll(/<(?:link[^>]+href|script[^>]+src)="(\/[^"]+\.(?:css|js)(?:\?[^"]*)?)"/g)) referenced.add(match[1])
    const assets: { path: string; bytes: number; encoding: string; status: number }[] = []
    for (const path of referenced) {
      const res = await client.request('GET', path, { headers: gzip })
      assets.push({ path, bytes: res.body.length, encoding: String(res.headers['content-encoding'] ?? 'identity'), status: res.status })
    }
    return { server: stats(times), html: { bytes: page.body.length, encoding: String(page.headers['content-encoding'] ?? 'identity') }, assets }
  }

  // ------------------------------------------------------------------ report

  #report(result: {
    database: string
    isMysql: boolean
    concurrency: number
    workers: number
    scan: Phase
    sale: Phase & { baseline: ReturnType<typeof stats>; roundTrips: number }
    limit: { perSecond: number } | null
    products: number
    weight: PageWeight
    seconds: number
  }): string[] {
    const { scan, sale, weight } = result
    const verdict = (ok: boolean) => (ok ? this.colors.green('PASS') : this.colors.red('MISS'))
    const assetBytes = weight.assets.reduce((sum, a) => sum + a.bytes, 0)
    const totalBytes = assetBytes + weight.html.bytes
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

    const table = this.ui.table()
    table.head(['Measure', 'Measured', 'Budget', 'Result'])
    const three = (x: ReturnType<typeof stats>) => `${ms(x.p50)} / ${ms(x.p95)} / ${ms(x.p99)}`
    const pace = `${result.concurrency} tills`
    table.row([`scan-to-cart at till pace (${pace}, one scan each per ${this.scanInterval} ms), server time p50 / p95 / p99`, three(scan.pacedServer), 'p95 < 15 ms', verdict(scan.pacedServer.p95 < 15)])
    table.row(['  the same, as the bench client waited', three(scan.paced), '', ''])
    table.row([`scan-to-cart back to back (${result.concurrency} clients) p50 / p95 / p99`, three(scan), '', ''])
    table.row(['scans per second, back to back', scan.perSecond.toFixed(0), '', ''])
    table.row([`sale, 5 lines, at till pace (${pace}, one sale each per ${this.saleInterval} ms), server time p50 / p95 / p99`, three(sale.pacedServer), 'p95 < 40 ms', verdict(sale.pacedServer.p95 < 40)])
    table.row(['  the same, as the bench client waited', three(sale.paced), '', ''])
    table.row([`sale, 5 lines, back to back (${result.concurrency} clients) p50 / p95 / p99`, three(sale), '', ''])
    table.row([
      `sales per second, back to back (${result.concurrency} clients)`,
      sale.perSecond.toFixed(0),
      '>= 600 on MariaDB',
      result.isMysql ? verdict(sale.perSecond >= 600) : this.colors.dim('n/a (SQLite)'),
    ])
    if (result.limit) {
      const share = sale.perSecond / result.limit.perSecond
      table.row([`  the limit: the same rows in the same round trips from a bare mysql2 client (${result.concurrency} connections), sales/s`, result.limit.perSecond.toFixed(0), '', ''])
      table.row(['  our sales per second as a share of the limit', `${(share * 100).toFixed(0)}%`, 'goal >= 60%', share >= 0.6 ? verdict(true) : this.colors.yellow('below')])
    }
    if (result.isMysql) table.row(['  database round trips per sale (the server\'s, all it sent during the sales)', sale.roundTrips.toFixed(2), '', ''])
    const cpuText = (cpu: ReturnType<typeof cpuPer>) =>
      `${cpu.server.toFixed(2)} / ${result.isMysql && cpu.database > 0 ? cpu.database.toFixed(2) : '-'} / ${cpu.client.toFixed(2)} ms`
    table.row(['CPU per scan: server / database / bench client', cpuText(scan.cpu), '', ''])
    table.row(['CPU per sale: server / database / bench client', cpuText(sale.cpu), '', ''])
    table.row(['baseline: GET /api/auth/me, 1 client, p50 / p95', `${ms(sale.baseline.p50)} / ${ms(sale.baseline.p95)}`, '', ''])
    table.row([`till first page (GET /till, ${weight.server.n} loads, ${result.products.toLocaleString('en')} products), server time p50 / p95`, `${ms(weight.server.p50)} / ${ms(weight.server.p95)}`, '', ''])
    table.row(['till first page: CSS + JS, compressed', kb(assetBytes), '< 60 KB', verdict(assetBytes < 60 * 1024)])
    table.row(['till first page: + HTML', kb(totalBytes), '', ''])
    table.render()

    for (const asset of [{ path: '/till (HTML)', bytes: weight.html.bytes, encoding: weight.html.encoding, status: 200 }, ...weight.assets]) {
      this.logger.info(`  ${asset.path.padEnd(24)} ${kb(asset.bytes).padStart(9)}  ${asset.encoding}${asset.status !== 200 ? `  (HTTP ${asset.status})` : ''}`)
    }
    this.logger.info(`database: ${result.database}; ${scan.n} scans in ${scan.seconds.toFixed(1)}s, ${sale.n} sales in ${sale.seconds.toFixed(1)}s; whole run ${result.seconds.toFixed(0)}s`)
    this.logger.info(`server: ${result.workers} worker process(es); machine load average now ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`)
    this.logger.info('server time: the Server-Timing header (first middleware to the answer ready); the client waited that, plus HTTP over loopback and its own event loop')

    const missed: string[] = []
    if (!(scan.pacedServer.p95 < 15)) missed.push('scan-to-cart p95 at till pace')
    if (!(sale.pacedServer.p95 < 40)) missed.push('sale p95 at till pace')
    if (result.isMysql && !(sale.perSecond >= 600)) missed.push('sales per second')
    if (!(assetBytes < 60 * 1024)) missed.push('till page weight')
    return missed
  }

  #fail(message: string) {
    this.#failures.push(message)
  }

  #keepLog(chunk: Buffer) {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue
      this.#serverLog.push(line)
      if (this.#serverLog.length > 200) this.#serverLog.shift()
    }
  }
}
