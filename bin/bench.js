/*
| npm run bench: every performance budget, one benchmark after the other on the configured
| database, then a summary. Each is an ace command of its own, with its own flags:
|   till     node ace pos:bench           scan-to-cart, completing sales, sales/s, till page weight
|   live     node ace pos:bench-live      sale -> stock update on 200 connected tills
|   reports  node ace pos:bench-reports   a day, 30 and 365 days of reports over 10,000,000 sale lines
|                                         (from the daily summaries), X and Z of a busy day
|   exports  node ace pos:bench-exports   accounting exports of a year (1,000,000 sale lines)
|   offline  node ace pos:bench-offline   offline till: catalog snapshot and delta, syncing 1,000 sales, scan offline
| `npm run bench -- till live` runs some of them. Exits 1 when any missed a budget or failed.
| On SQLite the bench stores go to storage/bench.sqlite3 unless SQLITE_PATH says otherwise, so
| they never mix with the demo's or a store's own database.
*/
import { spawnSync } from 'node:child_process'

const SUITES = {
  till: 'pos:bench',
  live: 'pos:bench-live',
  reports: 'pos:bench-reports',
  exports: 'pos:bench-exports',
  offline: 'pos:bench-offline',
}

const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !(name in SUITES))
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose among: ${Object.keys(SUITES).join(', ')}`)
  process.exit(2)
}

const env = { ...process.env }
if ((env.DB_CONNECTION ?? 'sqlite') === 'sqlite' && !env.SQLITE_PATH) env.SQLITE_PATH = 'storage/bench.sqlite3'

const results = []
for (const name of asked.length ? asked : Object.keys(SUITES)) {
  console.log(`\n=== ${name}: node ace ${SUITES[name]}\n`)
  const started = Date.now()
  const run = spawnSync(process.execPath, ['ace.js', SUITES[name]], { stdio: 'inherit', env })
  results.push({ name, code: run.status ?? 1, seconds: (Date.now() - started) / 1000 })
}

console.log('\n=== summary')
for (const { name, code, seconds } of results) {
  console.log(`  ${name.padEnd(8)} ${code === 0 ? 'every budget met' : 'a budget missed or the run failed'}  (${seconds.toFixed(0)} s)`)
}
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0
