import { randomUUID } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, freePort, migrate, percentile, startServer, waitForServer, type ServerProcess } from './_server.js'
import { buildOfflineSales, productOfRow, type CatalogProduct, type TillSettings } from './_offline_bench.js'
import { median, pageAssets } from './_bench_measure.js'
import { BenchClient, BROWSER_ENCODINGS, serverTime } from './_bench_client.js'

/*
| node ace pos:bench-offline: the offline till's speed budgets (issue 17), over real HTTP against the
| real server (NODE_ENV=production: compressed answers) on the configured database.
|   catalog snapshot: every page of GET /till/offline/catalog for the 100,000-product bench store, one
|                     after the other as the till fetches them, with a browser's Accept-Encoding:
|                     bytes on the wire (< 3 MB) and the time of all pages
|   delta:            the same 100 products' prices changed, then ?since=VERSION: the server's time
|                     (its Server-Timing header), median of --delta-runs (< 100 ms)
|   sync:             --sales offline sales built with the core's code (priceOfflineCart,
|                     sealOfflineSale) from the register's lease, POST /till/offline/sales in batches
|                     as the till sends them, oldest first: total time (< 10 s on MariaDB)
|   first page:       GET /till and the CSS/JS it references, compressed (< 60 KB); the offline code
|                     (/js/build/offline-till.js) must not be among them
|   offline scan:     real Chromium, the server stopped: scan to the line on screen (p95 < 16 ms)
| A cashier signs in through the login form (session cookie, CSRF token) as a till does. Exits 1
| when a budget is missed, unless --report-only.
*/

const PASSWORD = 'bench-offline-pass-1'
const CASHIER = 'bench-offline@bench.test'
const SYNC_REGISTER = 'Offline bench register'
const BROWSER_REGISTER = 'Offline bench browser'
// One device for every run: it keeps its lease of the sync register from one run to the next
const DEVICE_ID = '0ff11e00-bec4-4000-8000-000000000017'
const MB = 1024 * 1024

export default class PosBenchOffline extends BaseCommand {
  static commandName = 'pos:bench-offline'
  static description = "Measure the offline till's catalog snapshot and delta, syncing queued sales, its first page and offline scans"
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Products in the bench store', default: 100_000 })
  declare products: number

  @flags.number({ description: 'Offline sales to sync', default: 1000 })
  declare sales: number

  @flags.number({ description: 'Delta requests timed (after one not timed)', default: 7 })
  declare deltaRuns: number

  @flags.number({ description: 'Offline scans timed in Chromium (0: not measured)', default: 300 })
  declare scans: number

  @flags.number({ description: 'Port of the server under test (a free one is picked if taken)', default: 3397 })
  declare port: number

  @flags.boolean({ description: 'Only report: exit 0 even when a budget is missed' })
  declare reportOnly: boolean

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const started = Date.now()
    let server: ServerProcess | null = null
    let session: BenchClient | null = null
    try {
      await migrate()
      const database = await describeDatabase(this.app)
      const isMysql = !database.startsWith('SQLite')
      this.logger.info(`database: ${database}`)
      const fixture = await this.#seed()

      const port = await freePort(this.port)
      server = startServer(this.app.appRoot, { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), APP_URL: `http://127.0.0.1:${port}`, WEB_CONCURRENCY: '1' }, { quiet: true })
      server.child.stdout?.resume()
      await waitForServer(server, port)
      this.logger.info(`server under test: http://127.0.0.1:${port} (NODE_ENV=production, pid ${server.child.pid})`)

      session = new BenchClient(port, { encoding: BROWSER_ENCODINGS.http })
      const tillPage = await session.signInAtTill(CASHIER, PASSWORD, fixture.syncRegisterId)
      const weight = await this.pageWeight(session, tillPage)

      // The snapshot, as the till fetches it over plain HTTP (gzip) and as over HTTPS (brotli)
      const gzip = await this.snapshot(session, BROWSER_ENCODINGS.http)
      const brotli = await this.snapshot(session, BROWSER_ENCODINGS.https)
      this.logger.info(`catalog: ${gzip.products.length} products in ${gzip.pages} pages`)

      const delta = await this.delta(session, gzip.version, fixture.storeId)
      const sync = await this.sync(session, gzip.products, fixture.syncRegisterId)
      const online = await this.onlineReference(port, gzip.products, fixture.browserRegisterId)

      let scan: Awaited<ReturnType<PosBenchOffline['benchScans']>> | null = null
      if (this.scans > 0) {
        const running = server
        scan = await this.benchScans(port, fixture, gzip.products, async () => {
          await running.stop()
        }).catch((error) => {
          this.logger.error(`offline scans in Chromium not measured: ${(error as Error).message.slice(0, 400)}`)
          return null
        })
      }

      const missed = this.#report({ database, isMysql, weight, gzip, brotli, delta, sync, online, scan, seconds: (Date.now() - started) / 1000 })
      if (missed.length) {
        this.logger.warning(`budget missed: ${missed.join(', ')}`)
        if (!this.reportOnly) this.exitCode = 1
      }
    } catch (error) {
      this.logger.error(`The benchmark stopped: ${(error as Error).message.slice(0, 600)}`)
      this.exitCode = 1
    } finally {
      session?.close()
      if (server) await server.stop()
      await db.manager.closeAll()
    }
  }

  // ------------------------------------------------------------------ seeding

  /** The bench store of pos:bench (seeded here too when missing), a cashier, and two registers with open shifts */
  async #seed() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const hash = (await import('@adonisjs/core/services/hash')).default
    const { BENCH_STORE_NAME } = await import('#stores/demo_store_service')
    const { default: Store } = await import('#models/store')
    const { default: User } = await import('#models/user')
    const { default: Register } = await import('#models/register')
    const { default: ShiftService } = await import('#shifts/shift_service')
    const { seedBenchProducts } = await import('./_offline_bench_seed.js')

    let store = await Store.findBy('name', BENCH_STORE_NAME)
    if (!store) {
      store = await Store.create({ name: BENCH_STORE_NAME, address: 'Benchmark', currency: 'USD', timeZone: 'America/New_York', allowNegativeStock: false, pricesIncludeTax: false, cashRounding: 1 })
    }
    await seedBenchProducts(db, store.id, this.products, (message) => this.logger.info(message))

    let cashier = await User.findBy('email', CASHIER)
    if (!cashier) cashier = await User.create({ storeId: store.id, name: 'Bench Offline Cashier', email: CASHIER, password: PASSWORD, pin: await hash.make('1111'), role: 'cashier', active: true })
    const registers = []
    for (const name of [SYNC_REGISTER, BROWSER_REGISTER]) {
      registers.push((await Register.query().where({ store_id: store.id, name }).first()) ?? (await Register.create({ storeId: store.id, name, lastSaleNumber: 0 })))
    }
    const shifts = new ShiftService()
    for (const register of registers) {
      if (!(await shifts.current(store.id, register.id))) await shifts.open({ user: cashier, store }, register.id, { amount: 10_000 })
    }
    // Each run's Chromium is a new device with a new profile: the register it sells on is free for it
    await db.from('registers').where('id', registers[1].id).update({ lease_device_id: null, lease_user_id: null, lease_seen_at: null, lease_pending: 0 })
    const codes = (await db.from('product_barcodes').where('store_id', store.id).orderBy('product_id').limit(5000).select('code')).map((r) => String(r.code))
    return { storeId: store.id, syncRegisterId: registers[0].id, browserRegisterId: registers[1].id, codes }
  }

  // ------------------------------------------------------------------ the measures

  async pageWeight(session: BenchClient, page: Awaited<ReturnType<BenchClient['signInAtTill']>>) {
    const html = page.body.toString()
    // As pos:bench counts it: the page's styles and scripts, and the till's own
    const referenced = pageAssets(html)
    const assets: { path: string; bytes: number; encoding: string }[] = []
    for (const path of referenced) {
      const answer = await session.request('GET', path)
      if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`)
      assets.push({ path, bytes: answer.wire.length, encoding: String(answer.headers['content-encoding'] ?? 'identity') })
    }
    const offlineCode = await session.request('GET', '/js/build/offline-till.js')
    const loader = (await session.request('GET', '/js/app.js')).body.toString()
    return {
      html: { bytes: page.wire.length, encoding: String(page.headers['content-encoding'] ?? 'identity') },
      assets,
      offline: {
        inFirstPage: referenced.some((path) => path.includes('offline')) || /offline-till\.js/.test(html),
        afterLoad: /addEventListener\('load'[\s\S]{0,200}offline-till\.js/.test(loader),
        bytes: offlineCode.status === 200 ? offlineCode.wire.length : NaN,
      },
    }
  }

  /** Every page of the catalog, one after the other as the till asks for them */
  async snapshot(session: BenchClient, encoding: string) {
    const products: CatalogProduct[] = []
    let bytes = 0
    let raw = 0
    let pages = 0
    let version = 0
    let afterId = 0
    const startedAt = performance.now()
    const serverMs: number[] = []
    for (;;) {
      const answer = await session.request('GET', `/till/offline/catalog?after_id=${afterId}`, { headers: { accept: 'application/json' }, encoding })
      if (answer.status !== 200) throw new Error(`GET /till/offline/catalog answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`)
      bytes += answer.wire.length
      raw += answer.body.length
      pages++
      serverMs.push(serverTime(answer))
      const page = JSON.parse(answer.body.toString())
      for (const row of page.rows) products.push(productOfRow(page.fields, row))
      version = Math.max(version, page.version)
      if (page.next_after_id === null) break
      afterId = page.next_after_id
    }
    const seconds = (performance.now() - startedAt) / 1000
    const contentEncoding = encoding.includes('br') ? 'br' : 'gzip'
    return { encoding: contentEncoding, bytes, raw, pages, seconds, serverSeconds: serverMs.reduce((a, b) => a + b, 0) / 1000, version, products }
  }

  /**
   * The same 100 products' prices changed, a second after the till's version each time, then the
   * delta the till asks for. The first delta is not timed: after a fresh seed every product shares
   * the snapshot's second, which a delta sends again (">=": harmless, but not a delta of 100).
   */
  async delta(session: BenchClient, version: number, storeId: number) {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { dbTimestamp } = await import('#platform/db_time')
    const ids = (await db.from('products').where('store_id', storeId).orderBy('id').limit(100).offset(5000).select('id', 'price')).map((r) => Number(r.id))
    const serverMs: number[] = []
    const clientMs: number[] = []
    const rows: number[] = []
    let since = version
    for (let run = 0; run <= this.deltaRuns; run++) {
      // A new second: the change is newer than the version the till holds
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
      const now = dbTimestamp()
      await db.from('products').whereIn('id', ids).update({ price: 99 + ((Date.now() / 1000) % 4900 | 0), updated_at: now })
      let afterId = 0
      let got = 0
      let newest = since
      for (;;) {
        const answer = await session.request('GET', `/till/offline/catalog?since=${since}&after_id=${afterId}`, { headers: { accept: 'application/json' } })
        if (answer.status !== 200) throw new Error(`GET /till/offline/catalog?since answered ${answer.status}`)
        const page = JSON.parse(answer.body.toString())
        got += page.rows.length
        newest = Math.max(newest, page.version)
        if (run > 0) {
          serverMs.push(serverTime(answer))
          clientMs.push(answer.elapsed)
        }
        if (page.next_after_id === null) break
        afterId = page.next_after_id
      }
      if (run > 0) rows.push(got)
      since = newest
    }
    return { serverMs: median(serverMs), clientMs: median(clientMs), runs: serverMs.length, rows: [...new Set(rows)] }
  }

  /** The register's lease, then the queued offline sales sent as the till sends them: in batches, oldest first */
  async sync(session: BenchClient, products: CatalogProduct[], registerId: number) {
    const { MAX_SYNC_BATCH } = await import('#validators/offline')
    const settings = JSON.parse((await session.json('GET', '/till/offline/settings')).body.toString()) as TillSettings
    const lease = await session.json('POST', '/till/offline/lease', { device_id: DEVICE_ID, register_id: registerId, pending: 0 })
    if (lease.status !== 200) throw new Error(`POST /till/offline/lease answered ${lease.status}: ${lease.body.toString().slice(0, 300)}`)
    const head = JSON.parse(lease.body.toString())
    const sales = await buildOfflineSales(this.sales, products, settings, { deviceId: DEVICE_ID, registerId }, head)
    await session.json('POST', '/till/offline/lease', { device_id: DEVICE_ID, register_id: registerId, pending: sales.length })
    this.logger.info(`syncing ${sales.length} offline sales (numbers ${sales[0]?.number}..${sales.at(-1)?.number}), in batches of ${MAX_SYNC_BATCH}`)
    const serverMs: number[] = []
    const startedAt = performance.now()
    for (let start = 0; start < sales.length; start += MAX_SYNC_BATCH) {
      const batch = sales.slice(start, start + MAX_SYNC_BATCH)
      const answer = await session.json('POST', '/till/offline/sales', { sales: batch })
      const outcomes = answer.status === 200 ? (JSON.parse(answer.body.toString()).results as { outcome: string }[]).map((r) => r.outcome) : []
      if (outcomes.length !== batch.length || outcomes.some((o) => o !== 'recorded')) throw new Error(`POST /till/offline/sales (numbers ${batch[0].number}..) answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`)
      serverMs.push(serverTime(answer))
    }
    const seconds = (performance.now() - startedAt) / 1000
    await session.json('POST', '/till/offline/lease', { device_id: DEVICE_ID, register_id: registerId, pending: 0 })
    const sorted = serverMs.sort((a, b) => a - b)
    return { n: sales.length, batch: MAX_SYNC_BATCH, requests: serverMs.length, seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), lines: sales.reduce((sum, s) => sum + s.items.length, 0) }
  }

  /**
   * A yardstick read in the same minute on the same machine: online sales of as many lines
   * (POST /api/sales, one after the other, one client), on the register Chromium leases later
   * (each lease hands the till the head as it is then). A noisy machine slows both alike.
   */
  async onlineReference(port: number, products: CatalogProduct[], registerId: number, count = 200) {
    const session = new BenchClient(port, { encoding: BROWSER_ENCODINGS.http })
    try {
      const login = await session.json('POST', '/api/auth/login', { email: CASHIER, password: PASSWORD })
      if (login.status !== 200) throw new Error(`POST /api/auth/login answered ${login.status}`)
      const token = JSON.parse(login.body.toString()).token as string
      const sellable = products.filter((p) => p.active)
      const serverMs: number[] = []
      const startedAt = performance.now()
      for (let n = 0; n < count; n++) {
        const lines = 1 + Math.floor(Math.random() * 5)
        const items = Array.from({ length: lines }, () => ({ product_id: sellable[Math.floor(Math.random() * sellable.length)].id, quantity: 1 + Math.floor(Math.random() * 3) }))
        const answer = await session.request('POST', '/api/sales', {
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
          body: JSON.stringify({ items, payment_method: 'cash', tendered: 10_000_000, register_id: registerId }),
        })
        if (answer.status !== 201) throw new Error(`POST /api/sales answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`)
        serverMs.push(serverTime(answer))
      }
      const seconds = (performance.now() - startedAt) / 1000
      const sorted = serverMs.sort((a, b) => a - b)
      return { n: count, seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95) }
    } finally {
      session.close()
    }
  }

  /** Offline scans in real Chromium; null when the browser cannot run here */
  async benchScans(port: number, fixture: { codes: string[] }, products: CatalogProduct[], stopServer: () => Promise<void>) {
    const { benchOfflineScans } = await import('./_offline_bench_browser.js')
    const active = new Set(products.filter((p) => p.active).map((p) => p.id))
    this.logger.info(`offline scans in Chromium: loading the catalog into the till (${active.size} products), then the server stops`)
    // Random codes from the whole catalog (each a new line), shuffled
    const codes = [...fixture.codes].sort(() => Math.random() - 0.5)
    const timings = await benchOfflineScans({ baseUrl: `http://127.0.0.1:${port}`, email: CASHIER, password: PASSWORD, registerName: BROWSER_REGISTER, codes, scans: this.scans, stopServer, log: (m) => this.logger.info(m) })
    // The first 20 scans warm the page's JIT and IndexedDB: not counted
    const stat = (samples: number[], keep: (i: number) => boolean = () => true) => {
      const sorted = samples.filter((_, i) => i >= 20 && keep(i)).sort((a, b) => a - b)
      return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN }
    }
    // Baskets are voided every 20 scans: the first lines of a basket against its last ones says
    // whether a longer cart (repriced and drawn again whole) is what costs
    const byPosition = (from: number, to: number) => stat(timings.toDom, (i) => i % 20 >= from && i % 20 < to)
    return { dom: stat(timings.toDom), frame: stat(timings.toFrame), first: byPosition(0, 10), last: byPosition(10, 20), catalogSeconds: timings.catalogSeconds, products: timings.products }
  }

  // ------------------------------------------------------------------ report

  #report(r: {
    database: string
    isMysql: boolean
    weight: Awaited<ReturnType<PosBenchOffline['pageWeight']>>
    gzip: Awaited<ReturnType<PosBenchOffline['snapshot']>>
    brotli: Awaited<ReturnType<PosBenchOffline['snapshot']>>
    delta: Awaited<ReturnType<PosBenchOffline['delta']>>
    sync: Awaited<ReturnType<PosBenchOffline['sync']>>
    online: Awaited<ReturnType<PosBenchOffline['onlineReference']>>
    scan: Awaited<ReturnType<PosBenchOffline['benchScans']>> | null
    seconds: number
  }): string[] {
    const verdict = (ok: boolean) => (ok ? this.colors.green('PASS') : this.colors.red('MISS'))
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
    const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`
    const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-')
    const { weight, gzip, brotli, delta, sync, online, scan } = r
    const assetBytes = weight.assets.reduce((sum, a) => sum + a.bytes, 0)
    const firstPage = assetBytes + weight.html.bytes
    const largest = Math.max(gzip.bytes, brotli.bytes)

    const table = this.ui.table()
    table.head(['Measure', 'Measured', 'Budget', 'Result'])
    table.row([`catalog snapshot, ${gzip.products.length} products in ${gzip.pages} pages, gzip (a browser over HTTP)`, mb(gzip.bytes), '< 3 MB', verdict(gzip.bytes < 3 * MB)])
    table.row(['  the same, brotli (a browser over HTTPS)', mb(brotli.bytes), '< 3 MB', verdict(brotli.bytes < 3 * MB)])
    table.row(['  uncompressed JSON', mb(gzip.raw), '', ''])
    table.row(['  time of all pages, one after the other: gzip / brotli', `${gzip.seconds.toFixed(2)} s / ${brotli.seconds.toFixed(2)} s`, '', ''])
    table.row(['  of which the server worked (Server-Timing): gzip / brotli', `${gzip.serverSeconds.toFixed(2)} s / ${brotli.serverSeconds.toFixed(2)} s`, '', ''])
    table.row([`delta of 100 changed products (?since), server time, median of ${delta.runs}`, ms(delta.serverMs), '< 100 ms', verdict(delta.serverMs < 100)])
    table.row([`  rows answered per delta: ${delta.rows.join(', ')}; as the client waited`, ms(delta.clientMs), '', ''])
    table.row([`syncing ${sync.n} offline sales (${sync.lines} lines) in ${sync.requests} batches of up to ${sync.batch}, oldest first`, `${sync.seconds.toFixed(2)} s`, '< 10 s on MariaDB', r.isMysql ? verdict(sync.seconds < 10) : this.colors.dim('n/a (SQLite)')])
    table.row(['  per batch, server time p50 / p95 (per sale: p50 / batch size)', `${ms(sync.p50)} / ${ms(sync.p95)} (${ms(sync.p50 / sync.batch)})`, '', ''])
    table.row([`  yardstick: ${online.n} online sales (POST /api/sales, 1-5 lines), one by one, p50 / p95`, `${ms(online.p50)} / ${ms(online.p95)}`, '', ''])
    table.row([`  the same pace for ${sync.n} sales`, `${((online.seconds * sync.n) / online.n).toFixed(2)} s`, '', ''])
    table.row(['till first page: CSS + JS, compressed (as pos:bench counts it)', kb(assetBytes), '< 60 KB', verdict(assetBytes < 60 * 1024)])
    table.row(['  + its HTML', kb(firstPage), '', ''])
    table.row([
      `  offline code out of it (loads after the load event: ${weight.offline.afterLoad ? 'yes' : 'no'})`,
      `${weight.offline.inFirstPage ? 'NO' : 'yes'}, ${kb(weight.offline.bytes)} later`,
      'out',
      verdict(!weight.offline.inFirstPage && weight.offline.afterLoad),
    ])
    if (scan) {
      table.row([`offline scan to the line in the DOM, Chromium, ${scan.products} products, p50 / p95 (${scan.dom.n} scans)`, `${ms(scan.dom.p50)} / ${ms(scan.dom.p95)}`, 'p95 < 16 ms', verdict(scan.dom.p95 < 16)])
      table.row(['  to the next animation frame after it, p50 / p95', `${ms(scan.frame.p50)} / ${ms(scan.frame.p95)}`, '', ''])
      table.row(['  lines 1-10 of a basket / lines 11-20, to the DOM, p50 / p95', `${ms(scan.first.p50)} / ${ms(scan.first.p95)}; ${ms(scan.last.p50)} / ${ms(scan.last.p95)}`, '', ''])
      table.row(['  the till held the whole catalog after', `${scan.catalogSeconds.toFixed(0)} s`, '', ''])
    } else {
      table.row(['offline scan to the line on screen', 'not measured', 'p95 < 16 ms', this.colors.dim('n/a')])
    }
    table.render()
    for (const asset of [{ path: '/till (HTML)', ...weight.html }, ...weight.assets]) this.logger.info(`  ${asset.path.padEnd(28)} ${kb(asset.bytes).padStart(9)}  ${asset.encoding}`)
    this.logger.info(`database: ${r.database}; whole run ${r.seconds.toFixed(0)} s; load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`)

    const missed: string[] = []
    if (!(largest < 3 * MB)) missed.push('catalog snapshot size')
    if (!(delta.serverMs < 100)) missed.push('catalog delta')
    if (r.isMysql && !(sync.seconds < 10)) missed.push('syncing offline sales')
    if (!(assetBytes < 60 * 1024)) missed.push('till page weight')
    if (weight.offline.inFirstPage || !weight.offline.afterLoad) missed.push('offline code in the first page')
    if (scan && !(scan.dom.p95 < 16)) missed.push('offline scan p95')
    return missed
  }
}
