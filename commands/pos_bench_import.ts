import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, migrate } from './_server.js'

/*
| node ace pos:bench-import: a products CSV import on the current database connection.
|
| A store of its own (tax rates, a manager), a file of --rows rows (sku,name,price,stock, as the
| 100,000-row test of tests/functional/stock/product_csv.spec.ts), checked (the preview) and
| imported through ProductCsvService, as the back office's Products -> Import does after the
| upload. Then the same file again with every stock figure changed (each row updates its product
| and writes a stock movement: a re-import). Prints the seconds and rows/s of each step, and a
| line `BENCH {json}` for scripts.
*/

export default class PosBenchImport extends BaseCommand {
  static commandName = 'pos:bench-import'
  static description = 'Time a products CSV import (create, then re-import with stock changes) on the current database'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Rows in the file', default: 100_000 })
  declare rows: number

  @flags.boolean({ description: 'Also re-import the file with every stock changed (--no-update to skip)', default: true })
  declare update: boolean

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    try {
      await migrate()
      this.logger.info(`Database: ${await describeDatabase(this.app)}`)
      const { store, user } = await this.#store()
      const results: Record<string, number> = {}
      const create = await this.#importFile(store, user, (i) => i % 7)
      Object.assign(results, { createPreviewS: create.preview, createWriteS: create.write })
      if (this.update) {
        const update = await this.#importFile(store, user, (i) => (i % 7) + 1)
        Object.assign(results, { updatePreviewS: update.preview, updateWriteS: update.write })
      }
      const rate = (s: number) => Math.round(this.rows / s).toLocaleString('en-US')
      for (const [step, seconds] of Object.entries(results)) this.logger.info(`${step.padEnd(16)} ${seconds.toFixed(2).padStart(7)} s  ${rate(seconds).padStart(9)} rows/s`)
      console.log(`BENCH ${JSON.stringify({ rows: this.rows, ...results })}`)
    } finally {
      await db.manager.closeAll()
    }
  }

  async #store() {
    const Store = (await import('#models/store')).default
    const User = (await import('#models/user')).default
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { dbTimestamp } = await import('#platform/db_time')
    const tag = randomUUID().slice(0, 8)
    const store = await Store.create({ name: `Import bench ${tag}`, currency: 'USD', timeZone: 'America/New_York', cashRounding: 1, pricesIncludeTax: false, allowNegativeStock: false })
    const now = dbTimestamp()
    await db.table('tax_rates').insert({ store_id: store.id, tax_class: 'standard', name: 'Sales tax', rate_ppm: 80_000, created_at: now, updated_at: now })
    const user = await User.create({ storeId: store.id, name: `Bench manager ${tag}`, email: `bench-import-${tag}@bench.local`, password: randomUUID(), role: 'manager', active: true })
    return { store, user }
  }

  /** Writes the file, previews and imports it; the seconds of each */
  async #importFile(store: any, user: any, stockOf: (i: number) => number) {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { default: ProductCsvService } = await import('#inventory/product_csv_service')
    const dir = this.app.tmpPath('bench-import')
    await mkdir(dir, { recursive: true })
    const path = join(dir, `${store.id}-${randomUUID().slice(0, 8)}.csv`)
    const lines = ['sku,name,price,stock']
    for (let i = 1; i <= this.rows; i++) lines.push(`BULK-${i},Bulk product ${i},${(i % 1000) + 1}.99,${stockOf(i)}`)
    await writeFile(path, lines.join('\n'))

    const service = new ProductCsvService()
    const id = await service.createImport(store, user, 'bench.csv', path)
    let started = performance.now()
    await service.preview(store, id)
    const preview = (performance.now() - started) / 1000
    const checked = await db.from('product_imports').where('id', id).first()
    if (checked.status !== 'previewed' || checked.error_rows) throw new Error(`The preview ended ${checked.status} with ${checked.error_rows} bad rows`)

    started = performance.now()
    if (!(await service.run(store, user, id))) throw new Error('The import was not started')
    let job
    for (;;) {
      job = await db.from('product_imports').where('id', id).first()
      if (job.status !== 'running') break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const write = (performance.now() - started) / 1000
    if (job.status !== 'done' || job.processed_rows !== this.rows) throw new Error(`The import ended ${job.status} after ${job.processed_rows} rows`)
    return { preview, write }
  }
}
