import { randomUUID } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { Agent } from 'node:http'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, freePort, migrate, startServer, waitForServer, type ServerProcess } from './_server.js'
import { limitSalesPerSecond, prepareLimit } from './_bench_limit.js'
import { BenchClient, BROWSER_ENCODINGS, serverTime, type Timing } from './_bench_client.js'
import { cpuPer, cpuSnapshot, ms, pageAssets, pick, sleep, stats, type Phase, type PageWeight } from './_bench_measure.js'
import { BENCH_PASSWORD, seedBenchStore, type Fixture } from './_bench_seed.js'

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
      await migrate()
      const database = await describeDatabase(this.app)
      const isMysql = !database.startsWith('SQLite')
      this.logger.info(`database: ${database}`)
      const fixture = await seedBenchStore(this.products, concurrency, (message) => this.logger.info(message))
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
        limit = await limitSalesPerSecond(limitTarget, this.sales, concurrency, () => cpuSnapshot(serverPid))
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

  // ------------------------------------------------------------------ scan to cart

  async #benchScans(agent: Agent, port: number, fixture: Fixture, concurrency: number, serverPid: number) {
    // As a till in Chromium over plain HTTP asks: the cart fragment comes back compressed
    const clients = fixture.cashiers.map(() => new BenchClient(port, { agent, encoding: BROWSER_ENCODINGS.http }))
    await Promise.all(clients.map((c, i) => c.signInAtTill(fixture.cashiers[i].email, BENCH_PASSWORD, fixture.cashiers[i].registerId)))
    // As public/js/app.js: every htmx request names the cart the page shows (X-Cart-Id) and the
    // version of it on screen (X-Cart-Version), so a scan is answered with what it changed
    const cartShown = new Map<BenchClient, { id: string; version?: string }>()
    const htmx = (c: BenchClient) => {
      const shown = cartShown.get(c)
      return { 'x-csrf-token': c.csrf, 'hx-request': 'true', accept: 'text/html', ...(shown ? { 'x-cart-id': shown.id, ...(shown.version ? { 'x-cart-version': shown.version } : {}) } : {}) }
    }
    const showCart = (c: BenchClient, body: Buffer) => {
      const html = body.toString()
      const id = /id="cart-panel"[^>]*data-sale-id="(\d+)"/.exec(html)?.[1] ?? cartShown.get(c)?.id
      if (id) cartShown.set(c, { id, version: /data-cart-version="([^"]+)"/.exec(html)?.[1] })
    }
    const voidCart = async (c: BenchClient) => {
      const res = await c.form('/till/void', {}, htmx(c))
      if (res.status >= 400 && res.status !== 409) this.#fail(`POST /till/void -> ${res.status} ${res.body.toString().slice(0, 120)}`)
      showCart(c, res.body)
    }
    await Promise.all(clients.map(voidCart))

    const scanOnce = async (client: BenchClient, i: number) => {
      const startedAt = performance.now()
      const res = await client.form('/till/scan', { code: pick(fixture.codes) }, htmx(client))
      const elapsed = performance.now() - startedAt
      showCart(client, res.body)
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
        const client = new BenchClient(port, { agent })
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
    const countsBefore = await this.#serverCounts(clients[0].client)
    const cpuBefore = cpuSnapshot(serverPid)
    const phaseStart = performance.now()
    const latencies = await this.#loop(clients, perClient, 0, sell)
    const seconds = (performance.now() - phaseStart) / 1000
    const cpu = cpuPer(cpuBefore, cpuSnapshot(serverPid), latencies.client.length)
    const countsAfter = await this.#serverCounts(clients[0].client)
    const roundTrips = (countsAfter.roundTrips - countsBefore.roundTrips) / Math.max(1, latencies.client.length)
    const retries = countsAfter.retries - countsBefore.retries
    this.logger.info(`sales at till pace: ${this.paced} sales per till, one every ${this.saleInterval} ms, ${concurrency} tills`)
    const paced = await this.#loop(clients, this.paced, this.saleInterval, sell)
    return { ...stats(latencies.client), seconds, cpu, perSecond: latencies.client.length / seconds, paced: stats(paced.client), pacedServer: stats(paced.server), baseline: stats(baseline), roundTrips, retries }
  }

  /**
   * The server's MySQL/MariaDB round trips and transactions run again (deadlocks, lock waits) so
   * far, from its /metrics (read from loopback); NaN when unknown
   */
  async #serverCounts(client: BenchClient) {
    const text = (await client.request('GET', '/metrics', { headers: { accept: 'text/plain' } })).body.toString()
    const retries = [...text.matchAll(/^pos_transaction_retries_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
    return { roundTrips: Number(/^pos_db_round_trips_total (\d+)/m.exec(text)?.[1] ?? NaN), retries }
  }

  // ------------------------------------------------------------------ first page weight

  async #pageWeight(agent: Agent, port: number, fixture: Fixture): Promise<PageWeight> {
    const client = new BenchClient(port, { agent })
    await client.signInAtTill(fixture.cashiers[0].email, BENCH_PASSWORD, fixture.cashiers[0].registerId)
    const encoding = 'gzip, deflate, br'
    const times: number[] = []
    for (let i = 0; i < 60; i++) {
      const res = await client.request('GET', '/till', { encoding })
      if (i >= 10 && res.status === 200) times.push(serverTime(res))
    }
    const page = await client.request('GET', '/till', { encoding })
    // Every script and stylesheet the page loads
    const html = page.body.toString()
    const assets: { path: string; bytes: number; encoding: string; status: number }[] = []
    for (const path of pageAssets(html)) {
      const res = await client.request('GET', path, { encoding })
      assets.push({ path, bytes: res.wire.length, encoding: String(res.headers['content-encoding'] ?? 'identity'), status: res.status })
    }
    return { server: stats(times), html: { bytes: page.wire.length, encoding: String(page.headers['content-encoding'] ?? 'identity') }, assets }
  }

  // ------------------------------------------------------------------ report

  #report(result: {
    database: string
    isMysql: boolean
    concurrency: number
    workers: number
    scan: Phase
    sale: Phase & { baseline: ReturnType<typeof stats>; roundTrips: number; retries: number }
    limit: Awaited<ReturnType<typeof limitSalesPerSecond>> | null
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
      table.row(['  the limit\'s CPU per sale: database / bare client', `${result.limit.cpu.database.toFixed(2)} / ${result.limit.cpu.client.toFixed(2)} ms`, '', ''])
      table.row(['  our sales per second as a share of the limit', `${(share * 100).toFixed(0)}%`, 'goal >= 60%', share >= 0.6 ? verdict(true) : this.colors.yellow('below')])
    }
    if (result.isMysql) table.row(['  database round trips per sale (the server\'s, all it sent during the sales)', sale.roundTrips.toFixed(2), '', ''])
    table.row(['  transactions run again during the sales (deadlocks, lock waits)', String(sale.retries), '', ''])
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
      this.logger.info(`  ${asset.path.replace(/\?.*/, '').padEnd(24)} ${kb(asset.bytes).padStart(9)}  ${asset.encoding}${asset.status !== 200 ? `  (HTTP ${asset.status})` : ''}`)
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
