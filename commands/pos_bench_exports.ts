import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DateTime } from 'luxon'
import { describeDatabase, migrate } from './_server.js'

/*
| node ace pos:bench-exports: accounting exports over a year of a busy store.
|
| Seeds (once; reused by later runs of the same day) a bench store with a year of completed
| sales, 1,000,000 sale lines by default, with multi-row inserts. Then each exporter runs over
| the year in a child process of its own (so its peak memory is its own, not the seeding's),
| through the same path as the download: the exporter's rows -> papaparse chunks -> a Node
| Readable piped to a file (/dev/null). Prints rows/s, seconds and the peak RSS.
| Budget: > 100,000 rows/s in < 150 MB.
*/

const BUDGET_ROWS_PER_SECOND = 100_000
const BUDGET_RSS_MB = 150

interface Measure {
  exporter: string
  rows: number
  bytes: number
  seconds: number
  /** CPU time of the exporting process (on SQLite that includes the database's work) */
  cpuSeconds: number
  baseRssMb: number
  peakRssMb: number
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

  async run() {
    if (this.storeId) return this.#measureOne()
    const db = (await import('@adonisjs/lucid/services/db')).default
    try {
      await migrate(this.app)
      this.logger.info(`Database: ${await describeDatabase(this.app)}`)
      const { store, from, to, lines } = await this.#benchStore()
      this.logger.info(`Bench store #${store.id}: ${lines.toLocaleString('en-US')} sale lines from ${from} to ${to}`)

      const results: Measure[] = []
      for (const { exporter } of await this.#enableExporters()) {
        results.push(await this.#measureInChild(store.id, exporter.id))
      }
      this.#print(results, lines)
      const failed = results.filter((r) => r.rows >= lines && (r.rows / r.seconds < BUDGET_ROWS_PER_SECOND || r.peakRssMb >= BUDGET_RSS_MB))
      if (failed.length) this.exitCode = 1
    } finally {
      await db.manager.closeAll()
    }
  }

  /** Enables every shipped accounting-export plugin through the host, as an admin would */
  async #enableExporters() {
    const { pluginHost } = await import('#plugins/host')
    const { default: AccountingExportService } = await import('#services/accounting_export_service')
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
    const { seedBusyStore } = await import('#services/books_seed_service')
    const { dbTimestamp } = await import('#services/db_time')
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
        ['--import', '@poppinss/ts-exec', 'ace.js', 'pos:bench-exports', `--store-id=${storeId}`, `--exporter=${exporter}`, `--output=${this.output}`],
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
      const { default: AccountingExportService } = await import('#services/accounting_export_service')
      const store = await Store.findOrFail(this.storeId)
      const [, from, to] = store.name.match(/(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})/) ?? []
      const service = new AccountingExportService()
      await this.#enableExporters()
      const prepared = await service.prepare(store, this.exporter, from, to)
      // Warm up the connection and the code paths on one day, then measure the year
      await pipeline((await service.prepare(store, this.exporter, from, from)).stream(), createWriteStream('/dev/null'))
      global.gc?.()

      const baseRss = process.memoryUsage.rss()
      let peakRss = baseRss
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10)
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
      peakRss = Math.max(peakRss, process.memoryUsage.rss())
      const measure: Measure = {
        exporter: this.exporter,
        rows: newlines - 1,
        bytes,
        seconds,
        cpuSeconds: (used.user + used.system) / 1e6,
        baseRssMb: baseRss / 1048576,
        peakRssMb: peakRss / 1048576,
      }
      console.log(`BENCH ${JSON.stringify(measure)}`)
    } finally {
      await db.manager.closeAll()
    }
  }

  #print(results: Measure[], lines: number) {
    const table = this.ui.table()
    table.head(['exporter', 'rows', 'seconds', 'rows/s', 'CPU s', 'rows/CPU s', 'MB written', 'RSS before', 'peak RSS', 'budget'])
    for (const r of results) {
      const rate = r.rows / r.seconds
      const judged = r.rows >= lines
      const ok = rate >= BUDGET_ROWS_PER_SECOND && r.peakRssMb < BUDGET_RSS_MB
      table.row([
        r.exporter,
        r.rows.toLocaleString('en-US'),
        r.seconds.toFixed(2),
        Math.round(rate).toLocaleString('en-US'),
        r.cpuSeconds.toFixed(2),
        Math.round(r.rows / r.cpuSeconds).toLocaleString('en-US'),
        (r.bytes / 1048576).toFixed(1),
        `${r.baseRssMb.toFixed(0)} MB`,
        `${r.peakRssMb.toFixed(0)} MB`,
        judged ? (ok ? 'ok' : 'MISSED') : 'daily rows (memory only)',
      ])
    }
    table.render()
    this.logger.info(`Budget: ${BUDGET_ROWS_PER_SECOND.toLocaleString('en-US')} rows/s and < ${BUDGET_RSS_MB} MB peak RSS for the ${lines.toLocaleString('en-US')}-row export`)
  }
}
