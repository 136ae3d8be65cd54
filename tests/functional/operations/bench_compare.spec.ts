import { test } from '@japa/runner'
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/*
| pos:bench-compare end to end: this checkout against HEAD in one pair of small pos:bench runs on
| the database the suite runs on (MariaDB: a database of its own, dropped and made again per run),
| through a real git worktree, which must be gone afterwards.
*/
const root = fileURLToPath(new URL('../../../', import.meta.url))
const insideGit = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8' }).stdout.trim() === 'true'

test.group('pos:bench-compare', () => {
  test('compares this checkout with HEAD in alternating runs and removes its worktree', ({ assert }) => {
    const bench = '--products 300 --sales 40 --scans 40 --paced 3 --warmup 2 --concurrency 2'
    const port = Number(process.env.PORT) + 29
    const run = spawnSync(process.execPath, ['ace.js', 'pos:bench-compare', 'HEAD', '--pairs', '1', `--port=${port}`, `--bench=${bench}`], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test', ...(process.env.DB_CONNECTION === 'mysql' ? {} : { SQLITE_PATH: `${root}tmp/bench-compare-host.sqlite3` }) },
      encoding: 'utf8',
      timeout: 170_000,
    })
    const output = (run.stdout + run.stderr).replace(/\x1b\[[0-9;]*m/g, '')
    assert.equal(run.status, 0, output.slice(-2000))
    assert.include(output, 'pair 1, HEAD:')
    assert.include(output, 'pair 1, this checkout:')
    const salesRow = output.split('\n').find((line) => line.includes('sales per second, back to back'))
    // Figures under 100 are printed with two decimals (a loaded machine sells fewer than 100 a second)
    assert.match(salesRow ?? '', /│\s+\d+(\.\d\d)?\s+│\s+\d+(\.\d\d)?\s+│\s+\d+\.\d\d\s+│/, salesRow)
    assert.notInclude(execFileSync('git', ['worktree', 'list'], { cwd: root, encoding: 'utf8' }), `bench-compare-base-${port}`)
  })
    .skip(!insideGit, 'not a git checkout')
    .timeout(180_000)
})
