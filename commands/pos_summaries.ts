import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { calendarDay, FIRST_YEAR, LAST_YEAR } from '#platform/calendar_day'

/*
| node ace pos:summaries --rebuild [--from=yyyy-MM-dd --to=yyyy-MM-dd --store=<id>]
| node ace pos:summaries --check   [--from --to --store]
| The reports' daily summaries, kept for the store days rolled up (two hours after a day ends:
| app/sales/summary_days.ts; a late write into such a day adds to them in its transaction).
| --rebuild writes those days again from the sale lines, payments and refunds (after a bulk import),
| each under the store marker's lock, and leaves the days not rolled up without rows (the reports
| read their lines); --check compares the days rolled up with the lines and exits 1 on any
| difference, printing each. Days are the store's own; without --from/--to, every day with sales,
| refunds or summaries.
*/
export default class PosSummaries extends BaseCommand {
  static commandName = 'pos:summaries'
  static description = 'Rebuild the reports’ daily summaries from the sale lines, or check them against the lines'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Write the summaries again from the lines' })
  declare rebuild: boolean

  @flags.boolean({ description: 'Compare the summaries with the lines; exit 1 on any difference' })
  declare check: boolean

  @flags.string({ description: 'First store day (yyyy-MM-dd)' })
  declare from: string

  @flags.string({ description: 'Last store day (yyyy-MM-dd)' })
  declare to: string

  @flags.number({ description: 'Only this store' })
  declare store: number

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { default: Store } = await import('#models/store')
    const { default: SummaryRebuild } = await import('#reports/summary_rebuild')
    const { summariesThrough } = await import('#sales/summary_days')
    try {
      if (!this.rebuild && !this.check) {
        this.logger.error('Say --rebuild or --check')
        this.exitCode = 2
        return
      }
      for (const day of [this.from, this.to]) {
        // A real day: 2026-13-45 has the shape of one, and was taken. And of the years a store's
        // books hold: --rebuild --to=9026-12-31 (2026 mistyped) wrote every day up to 9999 a
        // transaction each, then never ended (luxon's day after 9999-12-31 sorts before it)
        if (day && !calendarDay(day)) {
          this.logger.error(`Not a day: ${day} (yyyy-MM-dd, from ${FIRST_YEAR} to ${LAST_YEAR})`)
          this.exitCode = 2
          return
        }
      }
      if (this.from && this.to && this.from > this.to) {
        this.logger.error(`--from ${this.from} is after --to ${this.to}`)
        this.exitCode = 2
        return
      }
      // --store=0 names no store: read as "no --store", it checked (or rebuilt) every store and said all was well
      const one = this.store !== undefined
      const stores = one ? await Store.query().where('id', this.store) : await Store.query().orderBy('id')
      if (one && !stores.length) {
        this.logger.error(`No store ${this.store}`)
        this.exitCode = 2
        return
      }
      const summaries = new SummaryRebuild()
      let differences = 0
      for (const store of stores) {
        const span = await summaries.span(store)
        const from = this.from ?? span?.from
        const to = this.to ?? span?.to
        if (!from || !to) continue
        if (this.rebuild) {
          const started = performance.now()
          const days = await summaries.rebuild(store, from, to)
          const through = await summariesThrough(store.id)
          const upTo = through === null || through < from ? 'none rolled up yet' : `written from the lines up to ${through < to ? through : to}, the day the store is rolled up to`
          this.logger.success(`store ${store.id} (${store.name}): ${days} day(s) from ${from} to ${to} done (${upTo}) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
        }
        if (this.check) {
          const found = await summaries.check(store, from, to)
          for (const d of found) {
            this.logger.error(`store ${store.id} ${d.table} ${d.day} ${d.key}: summary ${JSON.stringify(d.stored)}, lines ${JSON.stringify(d.lines)}`)
          }
          differences += found.length
          const through = await summariesThrough(store.id)
          if (found.length) continue
          if (through === null || through < from) this.logger.info(`store ${store.id} (${store.name}): no day from ${from} to ${to} is rolled up yet: the reports read their lines`)
          else this.logger.success(`store ${store.id} (${store.name}): summaries equal the lines, ${from} to ${through < to ? through : to} (the days rolled up)`)
        }
      }
      if (differences) {
        this.logger.error(`${differences} difference(s) between the summaries and the lines`)
        this.exitCode = 1
      }
    } finally {
      await db.manager.closeAll()
    }
  }
}
