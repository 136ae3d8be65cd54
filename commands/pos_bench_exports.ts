import { spawn } from 'node:child_process'
import { createWriteStream, readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { getHeapSpaceStatistics } from 'node:v8'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DateTime } from 'luxon'
import { describeDatabase, freePort, migrate, startServer, waitForServer } from './_server.js'

/*
| node ace pos:bench-exports: accounting exports over a year of a busy store.
|
| Seeds (once; reused by later runs of the same day) a bench store with a year of completed
| sales, 1,000,000 sale lines by default, with multi-row inserts. Then each exporter runs over
| the year in a child process of its own (so its peak memory is its own, not the seeding's),
| through the same path as the download: the exporter's rows -> papaparse chunks -> a Node
| Readable piped to a file (/dev/null). Last, the sales lines are downloaded from the real HTTP
| server (GET /api/exports/sales-lines), its memory and CPU read from /proc.
|
| Memory: a process that has booted the app (with the TypeScript loader) holds about 250 MB
| before any export, over the budget on its own. What the budget (150 MB) is compared with is
| what the export adds: the peak RSS during the export less the RSS just before it. Both are
| printed, and how much of the growth is V8's young generation filling up to its fixed cap.
| Budget: > 100,000 rows/s, and < 150 MB added, for the 1,000,000-row export.
*/

const BUDGET_ROWS_PER_SECOND = 100_000
const BUDGET_ADDED_MB = 150

interface Measure {
  exporter: string
  /** Where it ran: a child process of this command, or the HTTP server */
  via: 'ace' | 'http'
  rows: number
  bytes: number
  seconds: number
  /** CPU time of the exporting process (on SQLite that includes the database's work) */
  cpuSeconds: number | null
  /** RSS just before the export (after a full GC in the child) and its peak during the export */
  rssBeforeMb: number | null
  rssPeakMb: number | null
  /** Of the growth, V8's young generation growing (it stops at twice --max-semi-space-size) */
  youngGrowthMb: number | null
}

export default class PosBenchExports extends BaseCommand {
  static commandName = 'pos:bench-exports'
  static description = 'Seed a year of a busy store and measure every accounting exporter (rows/s, peak memory)'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Sale lines in the year', default: 1_000_000 })
  declare lines: number

  @flags.string({ description: 'Where the CSV goes', default: '/dev/null' })
  declare output: string

  @flags.number({ description: 'Internal: measure one exporter over this store', default: 0 })
  declare storeId: number

  @flags.string({ description: 'Internal: the exporter to measure' })
  declare exporter: string

  @flags.boolean({ description: 'Also download the sales lines from the HTTP server (--no-http to skip)', default: true })
  declare http: boolean

  async run() {
    if (this.storeId) return this.#measureOne()
    const db = (await import('@adonisjs/lucid/services/db')).default
    try {
      await migrate()
      this.logger.info(`Database: ${await describeDatabase(this.app)}`)
      const { store, from, to, lines } = await this.#benchStore()
      this.logger.info(`Bench store #${store.id}: ${lines.toLocaleString('en-US')} sale lines from ${from} to ${to}`)

      const results: Measure[] = []
      for (const { exporter } of await this.#enableExporters()) {
        results.push(await this.#measureInChild(store.id, exporter.id))
      }
      if (this.http) results.push(await this.#measureOverHttp(store.id, from, to))
      this.#print(results, lines)
      if (results.some((r) => r.rows >= lines && !withinBudget(r))) this.exitCode = 1
    } finally {
      await db.manager.closeAll()
    }
  }

  /** Enables every shipped accounting-export plugin through the host, as an admin would */
  async #enableExporters() {
    const { pluginHost } = await import('#plugins/host')
    const { default: AccountingExportService } = await import('#accounting/accounting_export_service')
    pluginHost.discover()
    const system = { userId: null, storeId: null, currency: 'USD' }
    for (const entry of pluginHost.list()) {
      if (entry.manifest?.provides.includes('accounting-export')) await pluginHost.enable(entry.id, system)
    }
    return new AccountingExportService().exporters()
  }

  /** The bench store of today's year, seeded when missing */
  async #benchStore() {
    const Store = (await import('#models/store')).default
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { seedBusyStore } = await import('#accounting/books_seed_service')
    const { dbTimestamp } = await import('#platform/db_time')
    const zone = 'America/New_York'
    const today = DateTime.now().setZone(zone).startOf('day')
    const from = today.minus({ days: 365 }).toISODate()!
    const to = today.minus({ days: 1 }).toISODate()!
    const name = `Exports bench ${from}..${to} (${this.lines} lines)`

    const existing = await Store.findBy('name', name)
    if (existing) {
      const row = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.store_id', existing.id).count('* as n').first()
      if (Number(row.n) === this.lines) return { store: existing, from, to, lines: this.lines }
    }

    const started = performance.now()
    const store = await Store.create({ name, currency: 'USD', timeZone: zone, cashRounding: 1, pricesIncludeTax: false, allowNegativeStock: true })
    const now = dbTimestamp()
    await db.table('tax_rates').multiInsert([
      { store_id: store.id, tax_class: 'standard', name: 'Sales tax', rate_ppm: 88_750, created_at: now, updated_at: now },
      { store_id: store.id, tax_class: 'reduced', name: 'Reduced', rate_ppm: 20_000, created_at: now, updated_at: now },
      { store_id: store.id, tax_class: 'zero', name: 'No tax', rate_ppm: 0, created_at: now, updated_at: now },
    ])
    const [registerId] = await db.table('registers').insert({ store_id: store.id, name: 'Bench register', last_sale_number: 0, created_at: now, updated_at: now })
    const [userId] = await db.table('users').insert({
      store_id: store.id, name: 'Bench admin', email: `bench-exports-${store.id}@bench.local`, password: 'x', role: 'admin', active: true, created_at: now, updated_at: now,
    })
    const classes = ['standard', 'standard', 'reduced', 'zero']
    const products = Array.from({ length: 200 }, (_, i) => ({
      store_id: store.id, name: `Bench product ${i + 1}`, sku: `BX-${store.id}-${i + 1}`, price: 99 + ((i * 137) % 4900),
      cost: 50, tax_class: classes[i % classes.length], stock: 0, active: true, created_at: now, updated_at: now,
    }))
    await db.table('products').multiInsert(products)
    const saved = await db.from('products').where('store_id', store.id).orderBy('id').select('id', 'name', 'sku', 'price', 'tax_class')
    let shown = 0
    const seeded = await seedBusyStore(store, {
      from, to, lines: this.lines, registerId: Number(registerId), userId: Number(userId),
      products: saved.map((p) => ({ id: p.id, name: p.name, sku: p.sku, price: Number(p.price), taxClass: p.tax_class })),
      onProgress: (lines) => {
        if (lines - shown >= 100_000) {
          shown = lines
          this.logger.info(`  seeded ${lines.toLocaleString('en-US')} lines`)
        }
      },
    })
    const seconds = (performance.now() - started) / 1000
    this.logger.info(`Seeded ${seeded.sales.toLocaleString('en-US')} sales, ${seeded.lines.toLocaleString('en-US')} lines in ${seconds.toFixed(1)} s (${Math.round(seeded.lines / seconds).toLocaleString('en-US')} lines/s)`)
    return { store, from, to, lines: seeded.lines }
  }

  /** Runs this command again for one exporter, so its memory is measured alone */
  #measureInChild(storeId: number, exporter: string): Promise<Measure> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        // --expose-gc: the RSS before the export is taken after a full collection
        ['--expose-gc', '--import', '@poppinss/ts-exec', 'ace.js', 'pos:bench-exports', `--store-id=${storeId}`, `--exporter=${exporter}`, `--output=${this.output}`],
        { cwd: fileURLToPath(this.app.appRoot), env: process.env, stdio: ['ignore', 'pipe', 'inherit'] }
      )
      let out = ''
      child.stdout.on('data', (chunk) => (out += chunk))
      child.on('error', reject)
      child.on('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('BENCH '))
        if (code !== 0 || !line) return reject(new Error(`The ${exporter} run failed (${code}): ${out.slice(-2000)}`))
        resolve(JSON.parse(line.slice(6)))
      })
    })
  }

  async #measureOne() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    try {
      const Store = (await import('#models/store')).default
      const { default: AccountingExportService } = await import('#accounting/accounting_export_service')
      const store = await Store.findOrFail(this.storeId)
      const [, from, to] = store.name.match(/(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})/) ?? []
      const service = new AccountingExportService()
      await this.#enableExporters()
      const prepared = await service.prepare(store, this.exporter, from, to)
      // Warm up the connection and the code paths on one day, then measure the year
      await pipeline((await service.prepare(store, this.exporter, from, from)).stream(), createWriteStream('/dev/null'))
      global.gc?.()

      const youngMb = () => (getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) / 1048576
      const rssBefore = process.memoryUsage.rss() / 1048576
      const youngBefore = youngMb()
      let rssPeak = rssBefore
      let youngPeak = youngBefore
      const sample = () => {
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss() / 1048576)
        youngPeak = Math.max(youngPeak, youngMb())
      }
      const sampler = setInterval(sample, 10)
      let newlines = 0
      let bytes = 0
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++
          done(null, chunk)
        },
      })
      const cpu = process.cpuUsage()
      const started = performance.now()
      await pipeline(prepared.stream(), counter, createWriteStream(this.output))
      const seconds = (performance.now() - started) / 1000
      const used = process.cpuUsage(cpu)
      clearInterval(sampler)
      sample()
      const measure: Measure = {
        exporter: this.exporter,
        via: 'ace',
        rows: newlines - 1,
        bytes,
        seconds,
        cpuSeconds: (used.user + used.system) / 1e6,
        rssBeforeMb: rssBefore,
        rssPeakMb: rssPeak,
        youngGrowthMb: youngPeak - youngBefore,
      }
      console.log(`BENCH ${JSON.stringify(measure)}`)
    } finally {
      await db.manager.closeAll()
    }
  }

  /**
   * The sales lines downloaded from the real server, as an accountant would: the server's own
   * memory (VmRSS) and CPU from /proc, sampled every 10 ms (n/a where there is no /proc)
   */
  async #measureOverHttp(storeId: number, from: string, to: string): Promise<Measure> {
    const User = (await import('#models/user')).default
    const user = await User.findByOrFail('email', `bench-exports-${storeId}@bench.local`)
    const accessToken = await User.accessTokens.create(user, ['*'], { name: 'pos:bench-exports' })
    const token = accessToken.value!.release()
    const port = await freePort(3341)
    const server = startServer(
      this.app.appRoot,
      { NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), APP_URL: `http://127.0.0.1:${port}`, WEB_CONCURRENCY: '1' },
      { quiet: true }
    )
    server.child.stdout?.resume()
    try {
      await waitForServer(server, port)
      const download = (start: string, end: string) =>
        new Promise<{ rows: number; bytes: number }>((resolve, reject) => {
          const path = `/api/exports/sales-lines?from=${start}&to=${end}`
          const req = httpRequest({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered ${res.statusCode}`))
            let newlines = 0
            let bytes = 0
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length
              for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++
            })
            res.on('end', () => resolve({ rows: newlines - 1, bytes }))
            res.on('error', reject)
          })
          req.on('error', reject)
          req.end()
        })
      // Warm up the server's connection and code paths on one day, as in the child
      await download(from, from)
      const pid = server.child.pid!
      const rssBefore = processRssMb(pid)
      const cpuBefore = processCpuSeconds(pid)
      let rssPeak = rssBefore
      const sampler = setInterval(() => {
        const rss = processRssMb(pid)
        if (rss !== null && rssPeak !== null) rssPeak = Math.max(rssPeak, rss)
      }, 10)
      const started = performance.now()
      const { rows, bytes } = await download(from, to).finally(() => clearInterval(sampler))
      const seconds = (performance.now() - started) / 1000
      const cpuAfter = processCpuSeconds(pid)
      return {
        exporter: 'sales-lines',
        via: 'http',
        rows,
        bytes,
        seconds,
        cpuSeconds: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null,
        rssBeforeMb: rssBefore,
        rssPeakMb: rssPeak,
        youngGrowthMb: null,
      }
    } finally {
      await server.stop()
      await User.accessTokens.delete(user, accessToken.identifier)
    }
  }

  #print(results: Measure[], lines: number) {
    const mb = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(0)} MB`)
    const table = this.ui.table()
    table.head(['exporter', 'via', 'rows', 'seconds', 'rows/s', 'CPU s', 'rows/CPU s', 'MB written', 'RSS before', 'peak RSS', 'added', 'of which young gen', 'budget'])
    for (const r of results) {
      const added = r.rssPeakMb !== null && r.rssBeforeMb !== null ? r.rssPeakMb - r.rssBeforeMb : null
      table.row([
        r.exporter,
        r.via === 'ace' ? 'child process' : 'HTTP server',
        r.rows.toLocaleString('en-US'),
        r.seconds.toFixed(2),
        Math.round(r.rows / r.seconds).toLocaleString('en-US'),
        r.cpuSeconds === null ? 'n/a' : r.cpuSeconds.toFixed(2),
        r.cpuSeconds === null ? 'n/a' : Math.round(r.rows / r.cpuSeconds).toLocaleString('en-US'),
        (r.bytes / 1048576).toFixed(1),
        mb(r.rssBeforeMb),
        mb(r.rssPeakMb),
        mb(added),
        mb(r.youngGrowthMb),
        r.rows >= lines ? (withinBudget(r) ? 'ok' : 'MISSED') : 'daily rows (memory only)',
      ])
    }
    table.render()
    this.logger.info(
      `Budget for the ${lines.toLocaleString('en-US')}-row export: ${BUDGET_ROWS_PER_SECOND.toLocaleString('en-US')} rows/s, and under ${BUDGET_ADDED_MB} MB ` +
        `added by the export ("added" = peak RSS - RSS before). The absolute peak RSS is not judged: the booted app with its TypeScript loader holds ~250 MB before any export.`
    )
  }
}

/** Fast enough, and the memory the export added is under the budget (unknown memory fails) */
function withinBudget(r: Measure): boolean {
  if (r.rssPeakMb === null || r.rssBeforeMb === null) return false
  return r.rows / r.seconds >= BUDGET_ROWS_PER_SECOND && r.rssPeakMb - r.rssBeforeMb < BUDGET_ADDED_MB
}

/** Another process's resident memory (VmRSS), or null without /proc */
function processRssMb(pid: number): number | null {
  try {
    const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1]
    return kb ? Number(kb) / 1024 : null
  } catch {
    return null
  }
}

/** Another process's CPU time, user + system, all threads (clock ticks of 1/100 s, Linux's USER_HZ) */
function processCpuSeconds(pid: number): number | null {
  try {
    // the fields after the command name, which is in parentheses and may hold spaces
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}
