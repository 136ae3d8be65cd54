import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'

const APP_ROOT = new URL('../', import.meta.url)

/** pos:start checks the login itself; pos:backup-verify works in a scratch database of its own */
const CHECKS_DATABASE_LOGIN = new Set(['migration:run', 'migration:rollback', 'migration:status', 'migration:fresh', 'migration:refresh', 'migration:reset', 'db:seed', 'db:wipe', 'db:truncate', 'audit:verify', 'pos:summaries', 'pos:backup', 'pos:restore', 'pos:demo'])

/** Of those, the ones that read a store that must be there (the others make one, or its schema) */
const READS_A_STORE = new Set(['audit:verify', 'pos:summaries', 'pos:backup'])

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) =>
    app.booting(async () => {
      await import('#start/env')
    })
  )
  .ace()
  .configure(async (app) => {
    // The commands the docs give an admin that use the configured database try its login first,
    // as pos:start does: a refused login or a server out of reach printed knex's pool warnings
    // with mysql2's stack (and Lucid's commands an error with its stack), which read as a crash;
    // those that read a store check that there is one
    const kernel = await app.container.make('ace')
    kernel.executing(async (command, isMain) => {
      if (!isMain || !CHECKS_DATABASE_LOGIN.has(command.commandName)) return
      const { databaseLoginProblem, noStoreProblem } = await import('#platform/database_login')
      const problem = (await databaseLoginProblem()) ?? (READS_A_STORE.has(command.commandName) ? await noStoreProblem() : null)
      if (!problem) return
      process.stderr.write(`${problem}\n`)
      process.exit(1)
    })
  })
  .handle(process.argv.splice(2))
  .catch(prettyPrintError)
