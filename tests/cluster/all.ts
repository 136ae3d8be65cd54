/*
| npm run test:cluster: each Galera test in its own process, one after the other, so that a failed
| one does not hide the next. They share one three-node cluster in tmp/cluster/, started here
| (CLUSTER_GIVEN=1 tells a test to use it, each on a database of its own, and leave it running):
| starting and stopping a cluster per test cost more than either test's own work. Before each test
| the cluster must be three nodes, all Synced in one primary component; when it is not (a test
| before left it broken), a new one is made, so the next test starts as it would alone. Exits 0
| when all passed, 77 when all were skipped (no Galera here), 1 otherwise.
*/
import { spawnSync } from 'node:child_process'
import { GaleraCluster, missingPackage } from '../../scripts/cluster/galera.ts'

const files = ['tests/cluster/setup_race.ts', 'tests/cluster/failover.ts']
// Without Galera the tests say what is missing and skip (77): no cluster to start for them
const installed = !missingPackage()
const cluster = new GaleraCluster()
const began = Date.now()
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`

/** A healthy cluster for the next test: true when there is one (this one, or a new one) */
async function readyCluster(first: boolean) {
  if (!installed) return false
  const problems = first ? 'none yet' : cluster.unhealthy()
  if (!problems) return true
  if (!first) console.log(`the cluster is not three Synced nodes (${problems}): a new one`)
  const started = Date.now()
  try {
    await cluster.create()
    console.log(`three Galera nodes ready in tmp/cluster in ${seconds(started)}`)
    return true
  } catch (error) {
    // The test then starts a cluster of its own, and fails with its own words if it cannot
    console.error(error)
    return false
  }
}

const codes: number[] = []
try {
  for (const [i, file] of files.entries()) {
    console.log(`\n==== ${file}`)
    const given = await readyCluster(i === 0)
    const run = spawnSync(process.execPath, ['--import', '@poppinss/ts-exec', file], { stdio: 'inherit', env: { ...process.env, CLUSTER_GIVEN: given ? '1' : '' } })
    codes.push(run.status ?? 1)
  }
} finally {
  if (!process.env.KEEP_CLUSTER) cluster.stopAll()
}
files.forEach((file, i) => console.log(`${file}: ${codes[i] === 0 ? 'passed' : codes[i] === 77 ? 'skipped' : 'FAILED'}`))
console.log(`in all ${seconds(began)}`)
const failed = codes.length < files.length || codes.some((code) => code !== 0 && code !== 77)
process.exit(failed ? 1 : codes.every((code) => code === 77) ? 77 : 0)
