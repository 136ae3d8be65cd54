/*
| npm run test:cluster: the POS on a three-node MariaDB Galera cluster with two app servers, with
| a database node and then an app server killed (kill -9) in the middle of selling.
|
| First 15 s of selling on node 0 alone (the one-node figure), then nodes 1 and 2 join by SST.
| 8 clients sell 5-line sales through the API for LOAD_SECONDS (60), each with an Idempotency-Key,
| alternating between the two app servers, and retrying the same key (on the other server when
| one does not answer) until they get a final answer. Every client buys from three hot products.
| At 20 s database node 0 (the one both app servers write through) is killed; at 40 s app server
| A is killed. Both come back. Then, on every node: each acknowledged sale exists exactly once,
| no sale exists that no client asked for, register numbers are gapless, every hash chain
| verifies (node ace audit:verify against that node alone), products.stock equals the ledger,
| the report summaries of the days rolled up equal the lines (pos:summaries --check: the sales made
| here are today's, which write none), and no client was left with a
| 5xx. Prints sales/s before and after the faults and the retries.
| Alone it starts node 0 of a cluster of its own in tmp/cluster; under all.ts (CLUSTER_GIVEN=1) it
| checks that the running cluster is three Synced nodes and stops nodes 1 and 2 cleanly, so that
| they join again by SST as above.
| Exits 1 on any failed check. Needs galera-4 and mariadb-server (Debian) and redis-server.
*/
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { Agent, request } from 'node:http'
import { APP_PORTS, GaleraCluster, REDIS_PORT, sleep, sqlPort, missingPackage } from '../../scripts/cluster/galera.ts'
import { startAppServer, startRedis, type AppServer } from '../../scripts/cluster/apps.ts'

const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60)
const BASELINE_SECONDS = 15
const AFTER_FAULTS_SECONDS = Number(process.env.AFTER_FAULTS_SECONDS ?? 15)
const CLIENTS = 8
const DATABASE = 'pos_cluster'
const PORTS = APP_PORTS

const checks: { name: string; ok: boolean; detail: string }[] = []
const check = (name: string, ok: boolean, detail = '') => {
  checks.push({ name, ok, detail })
  console.log(`${ok ? '✔' : '✖'} ${name}${detail ? `: ${detail}` : ''}`)
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 })

interface Answer {
  status: number
  body: any
  requestId?: string
}

function call(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const text = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { accept: 'application/json', ...(text ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString()
        let parsed: any = raw
        try {
          parsed = JSON.parse(raw)
        } catch {}
        resolve({ status: res.statusCode ?? 0, body: parsed, requestId: String(headers['x-request-id'] ?? '') })
      })
      res.on('error', reject)
    })
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    if (text) req.write(text)
    req.end()
  })
}

const cluster = new GaleraCluster()
// CLUSTER_GIVEN=1: a running three-node cluster in tmp/cluster (all.ts's) to use and leave running
const given = process.env.CLUSTER_GIVEN === '1'
const servers: AppServer[] = []
let redis = null as { stop(): void } | null

function ace(args: string[], env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['ace.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' })
  return { code: run.status ?? 1, output: `${run.stdout}\n${run.stderr}` }
}

/** ace() without waiting: the checks of the three nodes, read-only, run side by side */
function aceAside(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['ace.js', ...args], { env: { ...process.env, ...env } })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', (error) => resolve({ code: 1, output: String(error) }))
    child.once('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

async function main() {
  const started = Date.now()
  if (given) {
    // npm run test:cluster's cluster (tests/cluster/all.ts), after the setup race: it must be
    // whole. Nodes 1 and 2 leave it cleanly, to join again from empty data directories below
    await cluster.waitHealthy()
    cluster.stop(2)
    cluster.stop(1)
    await cluster.waitHealthy(1)
    console.log(`node 0 alone (nodes 1 and 2 stopped) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } else {
    console.log('starting Galera node 0 in tmp/cluster ...')
    await cluster.create(1)
    console.log(`node 0 ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  redis = await startRedis(REDIS_PORT)
  cluster.sql(0, `DROP DATABASE IF EXISTS ${DATABASE}; CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)

  const env = {
    NODE_ENV: 'production',
    DB_CONNECTION: 'mysql',
    DB_HOSTS: cluster.hosts(),
    DB_USER: 'root',
    DB_DATABASE: DATABASE,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(REDIS_PORT),
    APP_KEY: 'cluster-test-key-' + randomUUID(),
    LOG_LEVEL: 'warn',
  }
  const seeded = ace(['pos:demo'], env)
  if (seeded.code !== 0) throw new Error(`pos:demo failed:\n${seeded.output.slice(-2000)}`)
  servers.push(...(await Promise.all(PORTS.map((port) => startAppServer(port, env)))))

  // A manager receives plenty of stock of the products the clients sell, through the API
  const manager = await call(PORTS[0], 'POST', '/api/auth/login', { email: 'manager@demo.test', password: 'demo-pass-1' })
  const managerAuth = { authorization: `Bearer ${manager.body.token}` }
  const products = (await call(PORTS[0], 'GET', '/api/products?per_page=20', undefined, managerAuth)).body.data.map((p: any) => p.id as number)
  const received = await call(PORTS[0], 'POST', '/api/stock/receipts', { supplier: 'Cluster test', items: products.map((id: number) => ({ product_id: id, quantity: 1_000_000, unit_cost: 1 })) }, { ...managerAuth, 'idempotency-key': randomUUID() })
  if (received.status !== 201) throw new Error(`stock receipt answered ${received.status}: ${JSON.stringify(received.body)}`)

  const tokens: string[] = []
  for (let i = 0; i < CLIENTS; i++) {
    const login = await call(PORTS[i % 2], 'POST', '/api/auth/login', { email: 'cashier@demo.test', password: 'demo-pass-1' })
    tokens.push(login.body.token)
  }

  // ------------------------------------------------------------------ one node, then three
  const salesBefore = Number(cluster.sql(0, `SELECT COALESCE(MAX(id), 0) FROM ${DATABASE}.sales`).trim())
  const oneNode = await load(products, tokens, BASELINE_SECONDS, async () => {})
  const joining = Date.now()
  await cluster.join(1, 2)
  console.log(`nodes 1 and 2 joined (a full copy each, by SST) in ${((Date.now() - joining) / 1000).toFixed(1)} s`)

  // ------------------------------------------------------------------ three nodes, with faults
  const threeNodes = await load(products, tokens, LOAD_SECONDS, async (elapsed) => {
    await sleep(20_000)
    console.log(`${elapsed().toFixed(1)} s: kill -9 database node 0 (both app servers write through it)`)
    cluster.kill(0)
    await sleep(20_000)
    console.log(`${elapsed().toFixed(1)} s: kill -9 app server A`)
    servers[0].kill()
    await sleep(3_000)
    console.log(`${elapsed().toFixed(1)} s: restarting node 0 and app server A`)
    const back = Date.now()
    await cluster.restart(0)
    console.log(`node 0 rejoined (by IST) in ${((Date.now() - back) / 1000).toFixed(1)} s`)
    servers[0] = await startAppServer(PORTS[0], env)
    console.log(`${elapsed().toFixed(1)} s: both back`)
  })
  console.log(`\nsales/s with 8 clients on 2 app servers: one node ${oneNode.rate(0, BASELINE_SECONDS)}; three nodes ${threeNodes.rate(0, 20)} before the faults, ${threeNodes.rate(20, 40)} with node 0 killed, ${threeNodes.rate(threeNodes.backAt, threeNodes.endedAt)} after both came back`)
  for (const [name, run] of [['one node', oneNode], ['three nodes', threeNodes]] as const) {
    console.log(`${name}: ${run.acknowledged.size} sales acknowledged, ${run.stats.attempts} requests, ${run.stats.retried} retried by clients, ${run.stats.refusedFinal} refused (${[...run.finals4xx].map(([s, n]) => `${n}×${s}`).join(', ') || 'none'}), server-side transaction retries: ${await serverRetries()}`)
  }
  const acknowledged = new Map([...oneNode.acknowledged, ...threeNodes.acknowledged])

  // ------------------------------------------------------------------ checks on every node
  const left = oneNode.stats.leftWith5xx + threeNodes.stats.leftWith5xx
  check('no client was left with a 5xx or no answer after its retries', left === 0, `${left} left`)
  for (const server of servers) server.kill()
  const nodeCommands = [0, 1, 2].map((n) => {
    const nodeEnv = { ...env, DB_HOSTS: `127.0.0.1:${sqlPort(n)}` }
    return Promise.all([aceAside(['audit:verify'], nodeEnv), aceAside(['pos:summaries', '--check'], nodeEnv)])
  })
  const ackIds = [...acknowledged.values()].map((a) => a.id).sort((a, b) => a - b)
  for (let n = 0; n < 3; n++) {
    const rows = cluster.sql(n, `SET SESSION wsrep_sync_wait = 1; SELECT id FROM ${DATABASE}.sales WHERE id > ${salesBefore} ORDER BY id`).trim().split('\n').filter(Boolean).map(Number)
    const missing = ackIds.filter((id) => !rows.includes(id))
    if (missing.length && n === 0) {
      const all = [...oneNode.acknowledged.values(), ...threeNodes.acknowledged.values()]
      for (const id of missing.slice(0, 10)) {
        const lost = all.find((a) => a.id === id)
        console.log('missing:', JSON.stringify(lost), 'number held by:', cluster.sql(1, `SELECT id, register_id, number, created_at FROM ${DATABASE}.sales WHERE number = ${lost?.number}`).trim().replace(/\n/g, ' | '))
      }
    }
    const ackSet = new Set(ackIds)
    const extra = rows.filter((id) => !ackSet.has(id))
    check(`node ${n}: every acknowledged sale is there once`, missing.length === 0 && new Set(ackIds).size === ackIds.length, `${ackIds.length} acknowledged, ${missing.length} missing`)
    check(`node ${n}: no sale that no client was answered for`, extra.length === 0, `${rows.length} new sales on the node, ${extra.length} unacknowledged${extra.length ? ' (ids ' + extra.slice(0, 5).join(', ') + ')' : ''}`)
    const gaps = cluster.sql(n, `SELECT register_id, COUNT(*), MAX(number), COUNT(DISTINCT number) FROM ${DATABASE}.sales WHERE number IS NOT NULL GROUP BY register_id`).trim().split('\n').filter(Boolean).map((line) => line.split('\t').map(Number)).filter(([, count, max, distinct]) => count !== max || distinct !== count)
    check(`node ${n}: register numbers are gapless`, gaps.length === 0, gaps.map(([r, c, m]) => `register ${r}: ${c} sales, max ${m}`).join('; '))
    const drift = cluster.sql(n, `SELECT p.id, p.stock, COALESCE(SUM(m.quantity), 0) FROM ${DATABASE}.products p LEFT JOIN ${DATABASE}.stock_movements m ON m.product_id = p.id GROUP BY p.id, p.stock HAVING p.stock <> COALESCE(SUM(m.quantity), 0)`).trim()
    check(`node ${n}: products.stock equals the ledger`, drift === '', drift.split('\n').slice(0, 3).join('; '))
    const [verify, summaries] = await nodeCommands[n]
    check(`node ${n}: audit:verify passes`, verify.code === 0, verify.code === 0 ? '' : verify.output.trim().split('\n').slice(-3).join(' | '))
    // The report summaries of the days rolled up equal what the lines add up to (today's sales write none)
    check(`node ${n}: the report summaries equal the sale lines`, summaries.code === 0, summaries.code === 0 ? '' : summaries.output.trim().split('\n').slice(-3).join(' | '))
  }
}

/** Clients sell for `seconds` while `faults` plays out; every sale retried with its key until final */
async function load(products: number[], tokens: string[], seconds: number, faults: (elapsed: () => number) => Promise<void>) {
  const acknowledged = new Map<string, { id: number; at: number; status: number; port: number; attempt: number; number: number; requestId?: string }>()
  const stats = { attempts: 0, retried: 0, refusedFinal: 0, leftWith5xx: 0 }
  const finals4xx = new Map<number, number>()
  const loadStart = Date.now()
  const elapsed = () => (Date.now() - loadStart) / 1000
  let stop = false

  async function sell(client: number, sequence: number) {
    const key = randomUUID()
    // Every sale has the three hot products, and two others
    const others = Array.from({ length: 2 }, () => products[3 + Math.floor(Math.random() * (products.length - 3))])
    const body = { items: [...products.slice(0, 3), ...others].map((id) => ({ product_id: id, quantity: 1 })), payment_method: 'cash' }
    let lastStatus = 0
    const deadline = Date.now() + 90_000
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      stats.attempts++
      if (attempt > 0) stats.retried++
      const port = PORTS[(client + sequence + attempt) % 2]
      try {
        const answer = await call(port, 'POST', '/api/sales', body, { authorization: `Bearer ${tokens[client]}`, 'idempotency-key': key, 'x-request-id': `${key}-${attempt}` })
        lastStatus = answer.status
        if (answer.status === 201 || answer.status === 200) {
          acknowledged.set(key, { id: answer.body.id, at: elapsed(), status: answer.status, port, attempt, number: answer.body.number, requestId: answer.requestId })
          return
        }
        // A final refusal (not a conflict to wait out, not a rate limit)
        if (answer.status >= 400 && answer.status < 500 && answer.status !== 409 && answer.status !== 429) {
          finals4xx.set(answer.status, (finals4xx.get(answer.status) ?? 0) + 1)
          stats.refusedFinal++
          return
        }
      } catch {
        lastStatus = 0 // no answer: that server is gone; the next attempt goes to the other one
      }
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 4)))
    }
    if (lastStatus >= 500 || lastStatus === 0) stats.leftWith5xx++
  }

  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    for (let sequence = 0; !stop; sequence++) await sell(client, sequence)
  })
  // Selling goes on for a while after the faults are over, so that the rejoined node and the
  // restarted app server take sales too, however long they took to come back
  let backAt = 0
  await Promise.all([sleep(seconds * 1000), faults(elapsed).then(async () => ((backAt = elapsed()), await sleep(AFTER_FAULTS_SECONDS * 1000)))])
  stop = true
  await Promise.all(clients)
  const rate = (from: number, to: number) => ([...acknowledged.values()].filter((a) => a.at >= from && a.at < to).length / (to - from)).toFixed(1)
  return { acknowledged, stats, finals4xx, rate, backAt, endedAt: elapsed() }
}

/** Transaction retries counted by the app servers that are up (their /metrics) */
async function serverRetries() {
  const counts: string[] = []
  for (const port of PORTS) {
    try {
      const text = (await call(port, 'GET', '/metrics')).body
      const lines = String(text).split('\n').filter((line) => line.startsWith('pos_transaction_retries_total'))
      counts.push(`${port}: ${lines.map((line) => line.replace('pos_transaction_retries_total', '')).join(' ') || 'no metric'}`)
    } catch {
      counts.push(`${port}: not answering`)
    }
  }
  return counts.join('; ')
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
  agent.destroy()
}
const passed = checks.filter((c) => c.ok).length
const failures = checks.length - passed + (failed ? 1 : 0)
console.log(`\ncluster: ${passed} passed, ${failures} failed`)
process.exit(failures ? 1 : 0)
