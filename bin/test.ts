process.env.NODE_ENV = 'test'
// Tests run against their own database and port, never the demo's
process.env.PORT ??= '3334'
process.env.HOST ??= '127.0.0.1'
process.env.LOG_LEVEL ??= 'warn'
// The test clients read and write sessions in memory (loginAs, withCsrfToken)
process.env.SESSION_DRIVER = 'memory'
if ((process.env.DB_CONNECTION ?? 'sqlite') === 'sqlite') {
  // A file of this run's own (unless one is named), so two runs in one checkout never collide
  const ownFile = !process.env.SQLITE_PATH
  process.env.SQLITE_PATH ??= `tmp/test-${process.pid}.sqlite3`
  const { rmSync } = await import('node:fs')
  const removeFiles = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(process.env.SQLITE_PATH + suffix, { force: true })
  }
  removeFiles()
  if (ownFile) process.on('exit', removeFiles)
}

import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'

const APP_ROOT = new URL('../', import.meta.url)

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
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')

    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      ...{
        setup: runnerHooks.setup,
        teardown: runnerHooks.teardown.concat([() => app.terminate()]),
      },
    })
  })
  .run(() => run())
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
