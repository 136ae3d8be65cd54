/*
| npm run test:cluster: each Galera test in its own process, one after the other (each starts and
| stops its own cluster in tmp/cluster/), so that a failed one does not hide the next. Exits 0 when
| all passed, 77 when all were skipped (no Galera here), 1 otherwise.
*/
import { spawnSync } from 'node:child_process'

const files = ['tests/cluster/setup_race.ts', 'tests/cluster/failover.ts']
const codes: number[] = []
for (const file of files) {
  console.log(`\n==== ${file}`)
  const run = spawnSync(process.execPath, ['--import', '@poppinss/ts-exec', file], { stdio: 'inherit' })
  codes.push(run.status ?? 1)
}
files.forEach((file, i) => console.log(`${file}: ${codes[i] === 0 ? 'passed' : codes[i] === 77 ? 'skipped' : 'FAILED'}`))
const failed = codes.some((code) => code !== 0 && code !== 77)
process.exit(failed ? 1 : codes.every((code) => code === 77) ? 77 : 0)
