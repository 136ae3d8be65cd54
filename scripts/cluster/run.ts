/*
| npm run cluster [start|stop|status]: a local MariaDB Galera cluster (three nodes on 127.0.0.1
| ports 4306-4308, data in tmp/cluster/), a Redis of its own (6391) and two app servers (3761 and
| 3762) on the demo store, for trying the POS on a cluster (CLUSTER_PORT_BASE moves every port:
| galera.ts). `start` leaves them running and
| prints where; `stop` ends every process it started (by the pids it wrote down).
*/
import { randomUUID } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { APP_PORTS, GaleraCluster, REDIS_PORT, sqlPort } from './galera.ts'
import { startAppServer, startRedis } from './apps.ts'

const PORTS = APP_PORTS
const DATABASE = 'pos'
const cluster = new GaleraCluster()
const action = process.argv[2] ?? 'start'

function alive(pid: number | undefined) {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

if (action === 'start') {
  const began = Date.now()
  console.log('starting three Galera nodes (tmp/cluster) ...')
  await cluster.create()
  cluster.sql(0, `CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  const redis = await startRedis(REDIS_PORT)
  const env = {
    NODE_ENV: 'production',
    DB_CONNECTION: 'mysql',
    DB_HOSTS: cluster.hosts(),
    DB_USER: 'root',
    DB_DATABASE: DATABASE,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(REDIS_PORT),
    APP_KEY: randomUUID() + randomUUID(),
  }
  const demo = spawnSync(process.execPath, ['ace.js', 'pos:demo'], { env: { ...process.env, ...env }, stdio: 'inherit' })
  if (demo.status !== 0) throw new Error('pos:demo failed on the cluster')
  const servers = []
  for (const port of PORTS) servers.push(await startAppServer(port, env))
  cluster.writeState({ redis: redis.pid, servers: servers.map((s) => s.pid), env })
  console.log(`\nReady in ${((Date.now() - began) / 1000).toFixed(0)} s:`)
  for (const port of PORTS) console.log(`  app server  http://127.0.0.1:${port}  (sign in as cashier@demo.test / demo-pass-1)`)
  for (let n = 0; n < 3; n++) console.log(`  Galera node ${n}  mariadb -uroot -h127.0.0.1 -P${sqlPort(n)} ${DATABASE}`)
  console.log('`npm run cluster stop` ends them all.')
  process.exit(0)
} else if (action === 'stop') {
  const state = cluster.readState()
  for (const pid of [...(state.servers ?? []), state.redis]) if (alive(pid)) process.kill(pid, 'SIGTERM')
  cluster.stopAll()
  console.log('stopped')
} else if (action === 'status') {
  const state = cluster.readState()
  for (let n = 0; n < 3; n++) {
    const size = cluster.sql(n, "SHOW STATUS LIKE 'wsrep_cluster_size'").trim().split('\t')[1]
    const status = cluster.sql(n, "SHOW STATUS LIKE 'wsrep_local_state_comment'").trim().split('\t')[1]
    console.log(`node ${n} (port ${sqlPort(n)}): ${cluster.pid(n) ? `pid ${cluster.pid(n)}, ${status ?? 'not answering'}, cluster size ${size ?? '?'}` : 'stopped'}`)
  }
  for (const [i, pid] of (state.servers ?? []).entries()) console.log(`app server ${PORTS[i]}: ${alive(pid) ? `pid ${pid}` : 'stopped'}`)
  console.log(`redis ${REDIS_PORT}: ${alive(state.redis) ? `pid ${state.redis}` : 'stopped'}`)
} else {
  console.error('usage: npm run cluster [start|stop|status]')
  process.exit(2)
}
