import { spawn, execFileSync } from 'node:child_process'
import { existsSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { comparePairs, digitsFor, ratioText, readBenchTable, spread } from './_bench_compare.js'

/*
| node ace pos:bench-compare <revision>: this checkout against another revision, in alternating
| pos:bench runs. The VM this project is measured on drifts by a third within minutes, so a
| change is judged by pairs of runs made back to back, the order swapped from one pair to the
| next (the base first in pairs 1, 3, ...), each on a fresh bench database, and by the median of
| the pairs' ratios.
|
| The revision is checked out in a git worktree under tmp/ (removed at the end) that uses this
| checkout's node_modules: it must have the same dependencies. Each run is that side's own
| `node ace pos:bench --report-only`, with --bench's flags; its printed table is read
| (_bench_compare.ts). On MySQL/MariaDB the bench database is DB_DATABASE with `_cmp` added,
| dropped and created before each run; on SQLite a file of its own under tmp/.
*/
export default class PosBenchCompare extends BaseCommand {
  static commandName = 'pos:bench-compare'
  static description = 'Compare this checkout with another git revision in alternating pos:bench runs (medians and ratios)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The git revision to compare with (a commit, a tag, HEAD~1)' })
  declare revision: string

  @flags.number({ description: 'Pairs of runs', default: 4 })
  declare pairs: number

  @flags.string({ description: 'Flags for each pos:bench run, after an equals sign: --bench="--sales 3000 --scans 1000"', default: '' })
  declare bench: string

  @flags.number({ description: 'Port of the servers under test', default: 3396 })
  declare port: number

  async run() {
    const here = fileURLToPath(this.app.appRoot)
    // Named by the port, which is this run's own: two runs in one checkout at once (CI's suites side
    // by side) each removed the other's worktree, and both failed
    const baseDir = join(here, 'tmp', `bench-compare-base-${this.port}`)
    const db = (await import('@adonisjs/lucid/services/db')).default
    const mysql = db.connection().dialect.name === 'mysql'
    try {
      const commit = git(here, ['rev-parse', '--verify', `${this.revision}^{commit}`]).trim()
      this.#removeWorktree(here, baseDir)
      git(here, ['worktree', 'add', '--detach', baseDir, commit])
      symlinkSync(join(here, 'node_modules'), join(baseDir, 'node_modules'), 'dir')
      if (git(here, ['diff', commit, '--stat', '--', 'package-lock.json']).trim()) {
        this.logger.warning(`${this.revision} has other dependencies (package-lock.json differs): it runs with this checkout's node_modules`)
      }
      this.logger.info(`comparing ${this.revision} (${commit.slice(0, 7)}) with this checkout: ${this.pairs} pairs of pos:bench runs`)

      const runs = { base: [] as Record<string, number>[], here: [] as Record<string, number>[] }
      for (let pair = 1; pair <= this.pairs; pair++) {
        const order: ('base' | 'here')[] = pair % 2 ? ['base', 'here'] : ['here', 'base']
        for (const side of order) {
          const env = await this.#freshDatabase(here, mysql)
          const output = await this.#bench(side === 'base' ? baseDir : here, env)
          const figures = readBenchTable(output)
          if (!Object.keys(figures).length) throw new Error(`pos:bench of ${side} printed no table:\n${output.slice(-1500)}`)
          runs[side].push(figures)
          this.logger.info(`pair ${pair}, ${side === 'base' ? this.revision : 'this checkout'}: ${figures['sales per second, back to back'] ?? '?'} sales/s, ${figures['CPU per scan, server, ms'] ?? '?'} ms of server CPU per scan`)
        }
      }

      const table = this.ui.table()
      table.head(['Figure', `${this.revision}, median (lowest–highest)`, 'this checkout', 'this / base, median of the pairs (each pair)'])
      for (const figure of comparePairs(runs.base, runs.here)) {
        table.row([figure.name, spread(figure.base, digitsFor(figure)), spread(figure.here, digitsFor(figure)), ratioText(figure.ratios)])
      }
      table.render()
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
    } finally {
      this.#removeWorktree(here, baseDir)
      if (mysql && benchDatabase()) await db.rawQuery(`DROP DATABASE IF EXISTS \`${benchDatabase()}\``).catch(() => {})
      else for (const suffix of ['', '-wal', '-shm']) rmSync(benchSqliteFile(here) + suffix, { force: true })
      await db.manager.closeAll()
    }
  }

  /** One pos:bench run in `dir`; answers what it printed */
  #bench(dir: string, env: Record<string, string>): Promise<string> {
    const benchFlags = this.bench.split(/\s+/).filter(Boolean)
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['ace.js', 'pos:bench', '--report-only', `--port=${this.port}`, ...benchFlags], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      // Stopped (Ctrl-C, a test's time-out): the run stops its server too. Left running, its
      // server held the port, and a test given that port next failed (EADDRINUSE)
      const forward = (signal: NodeJS.Signals) => child.kill(signal)
      process.once('SIGINT', forward)
      process.once('SIGTERM', forward)
      child.stdout.on('data', (chunk) => (output += chunk))
      child.stderr.on('data', (chunk) => (output += chunk))
      child.once('error', reject)
      child.once('exit', (code) => {
        process.off('SIGINT', forward)
        process.off('SIGTERM', forward)
        if (code === 0) resolve(output)
        else reject(new Error(`pos:bench in ${dir} exited with ${code}:\n${output.slice(-1500)}`))
      })
    })
  }

  /** The environment of a run on a fresh bench database */
  async #freshDatabase(here: string, mysql: boolean): Promise<Record<string, string>> {
    if (!mysql) {
      const file = benchSqliteFile(here)
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
      return { SQLITE_PATH: file }
    }
    const name = benchDatabase()
    if (!name) throw new Error(`The bench database's name may only hold letters, digits and _: ${process.env.DB_DATABASE}_cmp`)
    const db = (await import('@adonisjs/lucid/services/db')).default
    await db.rawQuery(`DROP DATABASE IF EXISTS \`${name}\``)
    await db.rawQuery(`CREATE DATABASE \`${name}\``)
    return { DB_DATABASE: name }
  }

  #removeWorktree(here: string, dir: string) {
    if (existsSync(dir)) git(here, ['worktree', 'remove', '--force', dir])
    git(here, ['worktree', 'prune'])
  }
}

/** DB_DATABASE with `_cmp` added; null when it is not a plain name (it is put in a statement) */
function benchDatabase() {
  const name = `${process.env.DB_DATABASE ?? 'bench'}_cmp`
  return /^[A-Za-z0-9_]+$/.test(name) ? name : null
}

const benchSqliteFile = (here: string) => join(here, 'tmp', 'bench-compare.sqlite3')

function git(cwd: string, gitArgs: string[]) {
  return execFileSync('git', gitArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}
