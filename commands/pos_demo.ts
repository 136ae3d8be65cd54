import { rmSync } from 'node:fs'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, ensurePortFree, launchServer, migrate, serveUntilExit } from './_server.js'

/*
| node ace pos:demo [--serve]
| Migrates the database, (re)creates the demo store with a week of sales, and with --serve starts
| the HTTP server and prints where to sign in. Safe to run again: the previous demo is replaced.
*/
export default class PosDemo extends BaseCommand {
  static commandName = 'pos:demo'
  static description = 'Create (or refresh) a demo store with products, users and a week of sales; --serve starts the server'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.boolean({ description: 'Start the HTTP server after creating the demo data' })
  declare serve: boolean

  @flags.boolean({ description: 'Replace the demo even next to stores that are not demo data' })
  declare force: boolean

  async run() {
    const env = (await import('#start/env')).default
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { default: DemoStoreService, DEMO_PASSWORD, DEMO_USERS, BENCH_STORE_NAME, DEMO_STORE_NAME } = await import('#stores/demo_store_service')
    const demo = new DemoStoreService()
    const started = Date.now()
    const port = Number(env.get('PORT'))
    if (this.serve) {
      // Fail before touching the data when the port is taken
      try {
        await ensurePortFree(port, env.get('HOST'))
      } catch (error) {
        this.logger.error((error as Error).message)
        this.exitCode = 1
        return this.terminate()
      }
    }

    try {
      // On SQLite the demo starts from a fresh file, unless the file holds real stores
      if (env.get('DB_CONNECTION') === 'sqlite') {
        const config: any = db.manager.get(db.primaryConnectionName)?.config
        const file: string = config.connection.filename
        let foreign: { name: string }[] = []
        try {
          foreign = (await demo.foreignStores())
        } catch {
          // no stores table yet: nothing to keep
        }
        await db.manager.closeAll()
        if (!foreign.length) {
          for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true })
          this.logger.info(`fresh SQLite database ${this.colors.dim(file)}`)
        } else if (!this.force) {
          return this.#refuse(foreign)
        }
      }

      const ran = await migrate()
      this.logger.info(ran.length ? `ran ${ran.length} migration(s)` : 'database schema is up to date')

      const foreign = await demo.foreignStores()
      if (foreign.length && !this.force) return this.#refuse(foreign)
      await demo.wipe([DEMO_STORE_NAME, BENCH_STORE_NAME])

      this.logger.info('creating the demo store (products, users, a week of sales)...')
      const summary = await demo.create()
      this.logger.success(
        `${DEMO_STORE_NAME}: ${summary.products} products in ${summary.categories} categories, ${summary.sales} sales ` +
          `($${(summary.salesTotal / 100).toFixed(2)}), ${summary.lowStock} products low on stock, in ${((Date.now() - started) / 1000).toFixed(1)}s`
      )
      this.logger.info(`database: ${await describeDatabase(this.app)}`)

      const logins = this.ui.table()
      logins.head(['Role', 'E-mail', 'Password', 'Till PIN'])
      for (const user of DEMO_USERS) logins.row([user.role, user.email, DEMO_PASSWORD, user.pin ?? '-'])
      logins.render()
    } catch (error) {
      this.logger.error(`The demo could not be created: ${(error as Error).message}`)
      this.exitCode = 1
      await db.manager.closeAll()
      return this.terminate()
    }
    await db.manager.closeAll()

    if (!this.serve) {
      this.logger.info(`Run ${this.colors.cyan('npm run demo')} (or node ace pos:demo --serve) to serve it.`)
      return this.terminate()
    }

    const server = await launchServer(this, port, env.get('HOST'), {})
    if (!server) {
      this.exitCode = 1
      return this.terminate()
    }
    this.logger.success(`The demo POS is running: ${this.colors.cyan(`http://localhost:${port}`)}  (Ctrl+C stops it)`)
    this.logger.info(`Sign in as ${this.colors.cyan('cashier@demo.test')} / ${DEMO_PASSWORD} for the till, ${this.colors.cyan('admin@demo.test')} for the back office.`)
    this.exitCode = await serveUntilExit(server)
    await this.terminate()
  }

  #refuse(foreign: { name: string }[]) {
    this.logger.error(
      `This database holds ${foreign.map((s) => `"${s.name}"`).join(', ')}, which is not demo data. ` +
        'Point the demo at another database (SQLITE_PATH=storage/demo.sqlite3, or DB_DATABASE=...) or pass --force.'
    )
    this.exitCode = 1
    return this.terminate()
  }
}
