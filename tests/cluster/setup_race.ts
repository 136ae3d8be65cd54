/*
| npm run test:cluster (before failover.ts, tests/cluster/all.ts): the first-run setup sent twice
| at the same moment, to two app servers that write through two different Galera nodes (A through
| node 0, B through node 1). Galera's row locks are local to a node. Before the setup_lock row
| (migration 0147), a setup still open when the other's store arrived from the other node was
| aborted (the arriving row met its locking read of `stores`) and its retry found that store; but
| when both reached COMMIT before either's rows reached the other node, nothing they wrote had the
| same key and both committed: two stores and two admins (3 rounds of 10 here, 1 of 5 in another
| run). One must be made; the other answered as a setup that already happened (to /login).
|
| Alone it starts a cluster of its own in tmp/cluster; under all.ts (CLUSTER_GIVEN=1) it uses the
| running one, after checking that it is three Synced nodes, and leaves it running.
|
| The race depends on timing, so it is played SETUP_ROUNDS times (10), each on an empty database
| (every table emptied, the schema kept). After each round, on every node (reads with
| wsrep_sync_wait): exactly one store and one user; both answers were not 5xx and exactly one
| went on to /backoffice. Exits 1 on any failed check, 77 when Galera is not installed.
*/
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { APP_PORTS, GaleraCluster, NODE_COUNT, REDIS_PORT, sqlPort, missingPackage } from '../../scripts/cluster/galera.ts'
import { startAppServer, startRedis, type AppServer } from '../../scripts/cluster/apps.ts'
import { CookieSession } from '../live_client.ts'

const ROUNDS = Number(process.env.SETUP_ROUNDS ?? 10)
const DATABASE = 'pos_setup_race'

const checks: { name: string; ok: boolean; detail: string }[] = []
const check = (name: string, ok: boolean, detail = '') => {
  checks.push({ name, ok, detail })
  console.log(`${ok ? '✔' : '✖'} ${name}${detail ? `: ${detail}` : ''}`)
}

const cluster = new GaleraCluster()
// CLUSTER_GIVEN=1: a running cluster in tmp/cluster (all.ts's) to use and leave running
const given = process.env.CLUSTER_GIVEN === '1'
const servers: AppServer[] = []
let redis = null as { stop(): void } | null

/** One statement on node n that must work (cluster.sql answers '' on an error) */
function sql(n: number, statement: string) {
  const run = spawnSync('mariadb', ['-uroot', '-h127.0.0.1', `-P${sqlPort(n)}`, '-N', '-B', DATABASE, '-e', statement], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`node ${n}: ${statement.slice(0, 80)}: ${run.stderr}`)
  return run.stdout.trim()
}

async function main() {
  if (given) {
    // npm run test:cluster started the cluster (tests/cluster/all.ts): it must be whole
    await cluster.waitHealthy()
  } else {
    const started = Date.now()
    console.log('starting three Galera nodes in tmp/cluster ...')
    await cluster.create()
    console.log(`three nodes ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  redis = await startRedis(REDIS_PORT)
  cluster.sql(0, `DROP DATABASE IF EXISTS ${DATABASE}; CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  const env = {
    NODE_ENV: 'production',
    DB_CONNECTION: 'mysql',
    DB_USER: 'root',
    DB_DATABASE: DATABASE,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(REDIS_PORT),
    APP_KEY: 'cluster-test-key-' + randomUUID(),
    LOG_LEVEL: 'warn',
    BACKUP_EVERY: '0',
  }
  const migrated = spawnSync(process.execPath, ['ace.js', 'migration:run', '--force'], { env: { ...process.env, ...env, DB_HOSTS: cluster.hosts() }, encoding: 'utf8' })
  if (migrated.status !== 0) throw new Error(`migration:run failed:\n${migrated.stdout}\n${migrated.stderr}`)
  // Each app server writes through the first node of its DB_HOSTS: A through node 0, B through node 1
  const [a, b] = await Promise.all([startAppServer(APP_PORTS[0], { ...env, DB_HOSTS: cluster.hosts([0, 1, 2]) }), startAppServer(APP_PORTS[1], { ...env, DB_HOSTS: cluster.hosts([1, 0, 2]) })])
  servers.push(a, b)
  const tables = sql(0, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'adonis_schema%'").split('\n')

  // How often the two setups conflicted in Galera (certification failures and aborts of a local
  // transaction by a replicated one, on nodes 0 and 1): a round where one had committed before
  // the other read the stores is no race. The code before the fix had nothing to conflict on
  let roundsMet = 0
  const meetings = () => {
    let count = 0
    for (const n of [0, 1]) {
      const status = sql(n, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')")
      for (const line of status.split('\n')) count += Number(line.split('\t')[1] ?? 0)
    }
    return count
  }
  for (let round = 1; round <= ROUNDS; round++) {
    // An empty database again (the schema stays), and no session or rate-limit count left in Redis
    sql(0, `SET FOREIGN_KEY_CHECKS = 0; ${tables.map((t) => `DELETE FROM \`${t}\``).join('; ')}; SET FOREIGN_KEY_CHECKS = 1`)
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(REDIS_PORT), 'FLUSHALL'])
    for (let n = 0; n < NODE_COUNT; n++) sql(n, 'SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM stores')

    const meetingsBefore = meetings()
    const sessions = await Promise.all(
      servers.map(async (server) => {
        const session = new CookieSession(`http://127.0.0.1:${server.port}`)
        const page = await session.request('/setup')
        const html = await page.text()
        const token = html.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)?.[1]
        if (page.status !== 200 || !token) throw new Error(`GET /setup on ${server.port} answered ${page.status} without a form: ${html.slice(0, 300)}`)
        session.csrf = token
        return session
      })
    )
    const answers = await Promise.all(
      sessions.map(async (session, i) => {
        const response = await session.request('/setup', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: session.csrf, store_name: `Store ${i}`, currency: 'USD', time_zone: 'UTC', name: `Admin ${i}`, email: `admin${i}@race.test`, password: 'long-enough-pass' }).toString(),
        })
        await response.text()
        return `${response.status} ${response.headers.get('location')}`
      })
    )
    const met = meetings() - meetingsBefore
    if (met) roundsMet++
    console.log(`round ${round}: ${met} Galera conflict(s) between the two setups`)
    const made = answers.filter((answer) => answer === '302 /backoffice').length
    check(`round ${round}: both setups answered, neither with a 5xx`, answers.every((answer) => Number(answer.split(' ')[0]) < 500), `A (node 0): ${answers[0]}; B (node 1): ${answers[1]}`)
    check(`round ${round}: one setup was made, the other sent to the sign-in`, made === 1 && answers.some((answer) => answer === '302 /login' || answer.startsWith('409')), answers.join(', '))
    for (let n = 0; n < NODE_COUNT; n++) {
      const [stores, users, admins] = sql(n, "SET SESSION wsrep_sync_wait = 1; SELECT (SELECT COUNT(*) FROM stores), (SELECT COUNT(*) FROM users), (SELECT GROUP_CONCAT(email) FROM users WHERE role = 'admin')").split('\t')
      check(`round ${round}, node ${n}: one store and one admin`, stores === '1' && users === '1', `${stores} store(s), ${users} user(s): ${admins}`)
    }
  }
  console.log(`the two setups conflicted in Galera in ${roundsMet} of ${ROUNDS} rounds`)
}

// Without what a cluster needs from Debian, say so and skip (77)
const missing = missingPackage()
if (missing) {
  console.log(`skipped: ${missing}`)
  process.exit(77)
}

let failed = false
try {
  await main()
} catch (error) {
  console.error(error)
  failed = true
} finally {
  for (const server of servers) server.kill()
  redis?.stop()
  if (!given && !process.env.KEEP_CLUSTER) cluster.stopAll()
}
const passed = checks.filter((c) => c.ok).length
const failures = checks.length - passed + (failed ? 1 : 0)
console.log(`\nsetup race: ${passed} passed, ${failures} failed`)
process.exit(failures ? 1 : 0)
