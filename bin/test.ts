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
import { globSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

/**
 * TEST_SHARD=k/n: this run takes every n-th spec file of each suite, from the k-th in name order
 * (.ci/run runs the MariaDB suite as two shards beside each other: on two cores most of a suite
 * is waiting on a browser, a child process or a timer, and one run in one process was the
 * longest part of CI). Without it, every file.
 */
const [shardK, shardN] = /^(\d+)\/(\d+)$/.exec(process.env.TEST_SHARD ?? '1/1')?.slice(1).map(Number) ?? [0, 0]
if (!(shardN >= 1 && shardK >= 1 && shardK <= shardN)) {
  console.error(`TEST_SHARD must be k/n with 1 <= k <= n, not "${process.env.TEST_SHARD}"`)
  process.exit(1)
}

function shard<Suite extends { files: string | string[] | (() => URL[] | Promise<URL[]>) }>(suites: Suite[], k: number, n: number): Suite[] {
  if (n === 1) return suites
  return suites.map((suite) => {
    if (typeof suite.files === 'function') throw new Error('TEST_SHARD needs a suite\'s files as globs')
    const patterns = typeof suite.files === 'string' ? [suite.files] : suite.files
    const files = [...new Set(patterns.flatMap((pattern) => globSync(pattern, { cwd: fileURLToPath(APP_ROOT) })))].sort()
    return { ...suite, files: () => files.filter((_, i) => i % n === k - 1).map((file) => new URL(file, APP_ROOT)) }
  })
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
      suites: shard(app.rcFile.tests.suites, shardK, shardN),
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
