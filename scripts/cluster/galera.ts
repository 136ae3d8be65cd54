/*
| A MariaDB Galera cluster of three nodes on loopback ports, each with a data directory of its own
| under tmp/cluster/ (galera-4 and mariadb-server from Debian). Used by `npm run cluster` and by
| `npm run test:cluster`. Node n (0, 1, 2) serves SQL on 4306+n; Galera's group traffic, IST and
| SST use ports 4567+10n, 4568+10n and 4444+10n; the app servers 3761 and 3762, their Redis 6391.
| CLUSTER_PORT_BASE=B moves all of them into B..B+49 (SQL B+n, group B+10+n, IST B+20+n, SST
| B+30+n, app servers B+40 and B+41, Redis B+45): two checkouts on one machine (CI beside a
| developer's run) then each run a cluster without taking the other's ports. Facts this relies on
| (checked here):
| - the first node starts the cluster (--wsrep-new-cluster), the others join by rsync SST, whose
|   receiving rsync daemon runs as `nobody`: the joiner's empty datadir belongs to nobody;
| - after a kill -9, grastate.dat says seqno -1 and a plain restart would ask for a full SST:
|   `mariadbd --wsrep-recover` prints the last committed position, and a start with
|   --wsrep-start-position rejoins by IST in seconds.
*/
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join, resolve } from 'node:path'

export const NODE_COUNT = 3

/** What a cluster needs from Debian (.ci/run installs it): each package and a file it installs */
const PACKAGES = [
  ['galera-4', '/usr/lib/galera/libgalera_smm.so'],
  ['mariadb-server', '/usr/sbin/mariadbd'],
  ['redis-server', '/usr/bin/redis-server'],
  ['rsync', '/usr/bin/rsync'],
] as const

/** Why a cluster cannot run here (a package not installed), or null when it can */
export function missingPackage(): string | null {
  const missing = PACKAGES.find(([, path]) => !existsSync(path))
  return missing ? `${missing[0]} is not installed (${missing[1]}); apt-get install ${PACKAGES.map(([name]) => name).join(' ')}` : null
}
const base = Number(process.env.CLUSTER_PORT_BASE) || 0
export const sqlPort = (n: number) => (base ? base + n : 4306 + n)
const groupPort = (n: number) => (base ? base + 10 + n : 4567 + 10 * n)
const istPort = (n: number) => (base ? base + 20 + n : 4568 + 10 * n)
const sstPort = (n: number) => (base ? base + 30 + n : 4444 + 10 * n)
/** The two app servers and the Redis that the cluster scripts start beside the nodes */
export const APP_PORTS = base ? [base + 40, base + 41] : [3761, 3762]
export const REDIS_PORT = base ? base + 45 : 6391

export class GaleraCluster {
  readonly dir: string
  readonly processes = new Map<number, ChildProcess>()

  constructor(dir = resolve('tmp/cluster')) {
    this.dir = dir
  }

  datadir(n: number) {
    return join(this.dir, `node${n}`)
  }

  logFile(n: number) {
    return join(this.dir, `node${n}.err`)
  }

  /** DB_HOSTS for the app: every node, the first one first */
  hosts(order: number[] = [0, 1, 2]) {
    return order.map((n) => `127.0.0.1:${sqlPort(n)}`).join(',')
  }

  #args(n: number, extra: string[] = []) {
    const address = Array.from({ length: NODE_COUNT }, (_, i) => `127.0.0.1:${groupPort(i)}`).join(',')
    return [
      '--no-defaults',
      `--datadir=${this.datadir(n)}`,
      `--socket=${join(this.dir, `node${n}.sock`)}`,
      `--pid-file=${join(this.dir, `node${n}.pid`)}`,
      `--log-error=${this.logFile(n)}`,
      `--port=${sqlPort(n)}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-name-resolve',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--innodb-buffer-pool-size=96M',
      '--innodb-flush-log-at-trx-commit=2',
      '--max-connections=300',
      '--binlog-format=ROW',
      '--default-storage-engine=InnoDB',
      '--innodb-autoinc-lock-mode=2',
      '--wsrep-on=ON',
      '--wsrep-provider=/usr/lib/galera/libgalera_smm.so',
      '--wsrep-cluster-name=pos',
      `--wsrep-cluster-address=gcomm://${address}`,
      `--wsrep-node-name=node${n}`,
      '--wsrep-node-address=127.0.0.1',
      `--wsrep-sst-receive-address=127.0.0.1:${sstPort(n)}`,
      '--wsrep-sst-method=rsync',
      '--wsrep-slave-threads=2',
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${groupPort(n)};ist.recv_addr=127.0.0.1:${istPort(n)};gcache.size=256M`,
      ...extra,
    ]
  }

  #spawn(n: number, extra: string[] = []) {
    const child = spawn('/usr/sbin/mariadbd', this.#args(n, extra), { stdio: 'ignore', detached: true })
    child.unref()
    this.processes.set(n, child)
    return child
  }

  /** Resolves when node n accepts SQL and says it is synced with the primary component */
  async waitReady(n: number, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if ((await portOpen(sqlPort(n))) && this.sql(n, "SHOW STATUS LIKE 'wsrep_local_state_comment'").includes('Synced')) return
      await sleep(500)
    }
    throw new Error(`Galera node ${n} was not ready within ${timeoutMs} ms; see ${this.logFile(n)}`)
  }

  /** One statement through the mariadb client, over TCP as root; the output as text */
  sql(n: number, statement: string) {
    const run = spawnSync('mariadb', ['-uroot', '-h127.0.0.1', `-P${sqlPort(n)}`, '-N', '-B', '-e', statement], { encoding: 'utf8' })
    return run.status === 0 ? run.stdout : ''
  }

  /** A new cluster from empty data directories: the first node bootstraps, `nodes - 1` others join */
  async create(nodes = NODE_COUNT) {
    this.stopAll()
    rmSync(this.dir, { recursive: true, force: true })
    mkdirSync(this.dir, { recursive: true })
    // The rsync daemon of a joiner's SST runs as nobody: it must walk down to the datadir
    for (let dir = this.dir; dir !== '/'; dir = resolve(dir, '..')) chmodSync(dir, 0o755)
    const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${this.datadir(0)}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' })
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`)
    this.#spawn(0, ['--wsrep-new-cluster'])
    await this.waitReady(0)
    // root over TCP from 127.0.0.1 with no password, as the machine's own MariaDB has it
    this.sql(0, '') // warm the client
    const grant = spawnSync('mariadb', ['-uroot', `--socket=${join(this.dir, 'node0.sock')}`, '-e', "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"], { encoding: 'utf8' })
    if (grant.status !== 0) throw new Error(`granting root over TCP failed: ${grant.stderr}`)
    for (let n = 1; n < nodes; n++) this.#startJoiner(n)
    for (let n = 1; n < nodes; n++) await this.waitReady(n)
  }

  /**
   * Adds the nodes, from empty data directories, to the running cluster (a full copy each by SST).
   * They start together: a second joiner's SST waits for a donor that is free, as in create()
   */
  async join(...nodes: number[]) {
    for (const n of nodes) this.#startJoiner(n)
    for (const n of nodes) await this.waitReady(n)
  }

  #startJoiner(n: number) {
    rmSync(this.datadir(n), { recursive: true, force: true })
    mkdirSync(this.datadir(n), { recursive: true })
    chownSync(this.datadir(n), uid('nobody'), gid('nogroup'))
    this.#spawn(n)
  }

  /** kill -9, as a power cut or a crashed server would */
  kill(n: number) {
    const pid = this.pid(n)
    if (pid) process.kill(pid, 'SIGKILL')
  }

  /** Brings a killed node back: recover its last committed position, then rejoin by IST */
  async restart(n: number) {
    // Even a rejoin by IST has the donor's rsync write a marker file into the datadir, as nobody
    spawnSync('chown', ['-R', 'nobody:nogroup', this.datadir(n)])
    const recover = spawnSync('/usr/sbin/mariadbd', this.#args(n, ['--wsrep-recover', `--log-error=${join(this.dir, `node${n}.recover`)}`]), { encoding: 'utf8' })
    const log = existsSync(join(this.dir, `node${n}.recover`)) ? readFileSync(join(this.dir, `node${n}.recover`), 'utf8') : ''
    const position = [...log.matchAll(/Recovered position: (\S+:-?\d+)/g)].pop()?.[1]
    if (recover.status !== 0 && !position) throw new Error(`wsrep-recover of node ${n} failed: ${log.slice(-500)}`)
    this.#spawn(n, position ? [`--wsrep-start-position=${position}`] : [])
    await this.waitReady(n)
  }

  pid(n: number): number | null {
    const file = join(this.dir, `node${n}.pid`)
    if (!existsSync(file)) return null
    const pid = Number(readFileSync(file, 'utf8').trim())
    return alive(pid) ? pid : null
  }

  /** A status variable of node n ('' when the node does not answer) */
  status(n: number, name: string) {
    return this.sql(n, `SHOW STATUS LIKE '${name}'`).trim().split('\t')[1] ?? ''
  }

  /** Why the cluster is not `size` nodes that are all Synced in one primary component ('' when it is) */
  unhealthy(size = NODE_COUNT) {
    const problems: string[] = []
    for (let n = 0; n < size; n++) {
      const [state, clusterSize, primary] = ['wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_cluster_status'].map((name) => this.status(n, name))
      if (state !== 'Synced' || clusterSize !== String(size) || primary !== 'Primary') problems.push(`node ${n}: ${state || 'not answering'}, cluster size ${clusterSize || '?'}, ${primary || '?'}`)
    }
    return problems.join('; ')
  }

  /** Resolves when unhealthy(size) says nothing, throws with what it said last after timeoutMs */
  async waitHealthy(size = NODE_COUNT, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs
    let problems = this.unhealthy(size)
    while (problems && Date.now() < deadline) {
      await sleep(500)
      problems = this.unhealthy(size)
    }
    if (problems) throw new Error(`the cluster is not ${size} nodes Synced in a primary component: ${problems}`)
  }

  /** A clean shutdown of node n (it leaves the cluster, which goes on without it) */
  stop(n: number) {
    const pid = this.pid(n)
    if (pid) stopPids([pid])
  }

  /** A clean shutdown of every node still running (SIGTERM, then wait) */
  stopAll() {
    stopPids(Array.from({ length: NODE_COUNT }, (_, n) => this.pid(n)).filter((pid): pid is number => pid !== null))
  }

  writeState(state: object) {
    writeFileSync(join(this.dir, 'state.json'), JSON.stringify(state, null, 2))
  }

  readState(): any {
    const file = join(this.dir, 'state.json')
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  }
}

/** SIGTERM, then a wait of up to a minute for them to end, then SIGKILL */
function stopPids(pids: number[]) {
  for (const pid of pids) process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 60_000
  while (pids.some(alive) && Date.now() < deadline) spawnSync('sleep', ['0.2'])
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL')
}

/**
 * Whether the process runs. kill(pid, 0) is not enough: a node that ended stays a zombie until the
 * process that started it reaps it, and that process (this one, or all.ts, waiting on a test)
 * cannot while it waits synchronously, so stopAll() waited out its whole minute after every
 * clean shutdown. /proc says Z for a zombie.
 */
function alive(pid: number) {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

function uid(name: string) {
  return Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim())
}

function gid(name: string) {
  return Number(spawnSync('getent', ['group', name], { encoding: 'utf8' }).stdout.split(':')[2])
}

export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
