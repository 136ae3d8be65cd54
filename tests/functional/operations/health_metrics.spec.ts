import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import env from '#start/env'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DatabaseWritableCheck } from '#platform/health'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'

/*
| /health/live, /health/ready and /metrics on the test server (a real HTTP server and database).
*/

const base = () => `http://127.0.0.1:${process.env.PORT}`

/** The value of one series in a Prometheus text answer (0 when absent) */
const run = promisify(execFile)

function sample(text: string, name: string, labels: Record<string, string> = {}) {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}

/** Puts a variable back as it was; env.set also writes process.env, which server processes started later inherit */
function restoreEnv(key: 'BACKUP_DIR' | 'METRICS_ALLOW' | 'METRICS_TOKEN', before: string | undefined) {
  env.set(key, before as string)
  if (before === undefined) delete process.env[key]
}

async function metrics(headers: Record<string, string> = {}) {
  const response = await fetch(`${base()}/metrics`, { headers })
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() }
}

/** Listeners run after commit: read the metrics until a series reaches a value (or give up) */
async function metricsUntil(check: (text: string) => boolean) {
  let text = ''
  for (let i = 0; i < 50; i++) {
    text = (await metrics()).text
    if (check(text)) return text
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return text
}

test.group('Health', () => {
  test('live answers without the database; ready lists each check, with no cookie and nothing secret', async ({ assert }) => {
    const live = await fetch(`${base()}/health/live`)
    assert.equal(live.status, 200)
    assert.deepEqual(await live.json(), { status: 'ok' })

    const ready = await fetch(`${base()}/health/ready`)
    assert.equal(ready.status, 200)
    assert.isNull(ready.headers.get('set-cookie'))
    const body: any = await ready.json()
    assert.isTrue(body.ready)
    const names = body.checks.map((c: any) => c.name)
    for (const name of ['accepting', 'database', 'database_writable', 'migrations', 'disk_backups', 'backup_age']) assert.include(names, name)
    assert.equal(body.checks.find((c: any) => c.name === 'migrations').status, 'ok')
    // With REDIS_HOST set (as on the MariaDB runs) Redis is checked and answers
    if (env.get('REDIS_HOST')) assert.equal(body.checks.find((c: any) => c.name === 'redis').status, 'ok')
    else assert.notInclude(names, 'redis')
    const text = JSON.stringify(body)
    for (const secret of ['pid', 'version', 'password', env.get('DB_HOST') ?? '127.0.0.1:3306']) assert.notInclude(text, secret)
  })

  test('a database file that cannot be written is not ready (reads answered "ok" while every sale failed)', async ({ assert, cleanup }) => {
    const dir = await mkdtemp(join(tmpdir(), 'pos-health-db-'))
    const file = join(dir, 'pos.sqlite3')
    await writeFile(file, '')
    assert.equal((await new DatabaseWritableCheck(file).run()).status, 'ok')
    // Immutable, as an operator's mistake or a failing disk leaves it (root may write a chmod 444 file)
    await run('chattr', ['+i', file])
    cleanup(async () => {
      await run('chattr', ['-i', file]).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    })
    const refused = await new DatabaseWritableCheck(file).run()
    assert.equal(refused.status, 'error')
    assert.include(refused.message, 'sales cannot be saved')
  })

  test('the newest backup file gives the backup age; an old one is a warning, still ready', async ({ assert, cleanup }) => {
    const dir = await mkdtemp(join(tmpdir(), 'pos-health-backups-'))
    const before = env.get('BACKUP_DIR')
    env.set('BACKUP_DIR', dir)
    cleanup(async () => {
      restoreEnv('BACKUP_DIR', before)
      await rm(dir, { recursive: true, force: true })
    })
    const check = async () => ((await (await fetch(`${base()}/health/ready`)).json()) as any).checks.find((c: any) => c.name === 'backup_age')

    assert.equal((await check()).message, 'No backup yet')
    const old = join(dir, 'pos-backup-20261201T020000Z.jsonl.gz')
    await writeFile(old, 'x')
    const threeDaysAgo = new Date(Date.now() - 72 * 3_600_000)
    await utimes(old, threeDaysAgo, threeDaysAgo)
    const stale = await check()
    assert.equal(stale.status, 'warning')
    assert.approximately(stale.meta.ageHours, 72, 1)
    assert.equal((await fetch(`${base()}/health/ready`)).status, 200)

    // A failed backup writes its line in the folder's log, and a partial file: neither is a backup
    // (the log's time passed for a recent backup)
    await writeFile(join(dir, 'backups.log.jsonl'), '{"ok":false}\n')
    await writeFile(join(dir, 'pos-backup-20261205T020000Z.jsonl.gz.partial'), 'z')
    assert.equal((await check()).status, 'warning')

    await writeFile(join(dir, 'pos-backup-20261204T020000Z.jsonl.gz'), 'y')
    const fresh = await check()
    assert.equal(fresh.status, 'ok')
    assert.isBelow(fresh.meta.ageHours, 1)

    env.set('BACKUP_DIR', join(dir, 'missing'))
    assert.equal((await check()).status, 'ok')
    // A file where the folder should be: backups cannot be made, and the check says so
    env.set('BACKUP_DIR', old)
    const unreadable = await check()
    assert.equal(unreadable.status, 'warning')
    assert.include(unreadable.message, 'ENOTDIR')
  })
})

test.group('Metrics', () => {
  test('sales by store and tender from the committed events, replays, and durations by route pattern', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const store = String(fixture.store.id)
    const body = { items: [{ product_id: mug.id, quantity: 2 }], payment_method: 'cash', tendered: 100_000 }
    const textBefore = (await metrics()).text
    const replaysBefore = sample(textBefore, 'pos_idempotent_replays_total')
    const roundTripsBefore = sample(textBefore, 'pos_db_round_trips_total')

    const key = randomUUID()
    const first = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(201)
    ;(await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)).assertStatus(201)
    ;(await client.get(`/api/sales/${first.body().id}`).bearerToken(token)).assertStatus(200)

    const text = await metricsUntil((t) => sample(t, 'pos_sales_total', { store, tender: 'cash' }) === 1)
    assert.equal(sample(text, 'pos_sales_total', { store, tender: 'cash' }), 1)
    assert.equal(sample(text, 'pos_sale_amount_minor_total', { store, tender: 'cash' }), first.body().total)
    assert.equal(sample(text, 'pos_idempotent_replays_total'), replaysBefore + 1)
    assert.isAtLeast(sample(text, 'pos_http_request_duration_seconds_count', { route: '/api/sales', method: 'POST', status: '2xx' }), 2)
    assert.isAtLeast(sample(text, 'pos_http_request_duration_seconds_count', { route: '/api/sales/:id', method: 'GET', status: '2xx' }), 1)
    assert.notInclude(text, `route="/api/sales/${first.body().id}"`)
    // The queries sent to MariaDB (a sale's transaction is three round trips); none on SQLite
    if (env.get('DB_CONNECTION') === 'mysql') assert.isAtLeast(sample(text, 'pos_db_round_trips_total') - roundTripsBefore, 3)
    else assert.equal(sample(text, 'pos_db_round_trips_total'), 0)
    for (const name of ['pos_db_round_trips_total', 'pos_db_pool_connections', 'pos_print_jobs', 'pos_sse_connections', 'pos_transaction_retries_total', 'pos_nodejs_eventloop_lag_seconds']) {
      assert.include(text, `\n${name}`, name)
    }

    const refund = await client.post(`/api/sales/${first.body().id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: first.body().items[0].id, quantity: 1 }], reason: 'One back' })
    refund.assertStatus(201)
    const after = await metricsUntil((t) => sample(t, 'pos_refunds_total', { store }) === 1)
    assert.equal(sample(after, 'pos_refunds_total', { store }), 1)
    assert.equal(sample(after, 'pos_refund_amount_minor_total', { store }), refund.body().total)
  })

  test('a card payment declined or cancelled before the sale was paid is not counted as a tender', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { price: 500, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const store = String(fixture.store.id)
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: mug.id, quantity: 1 }] })
    open.assertStatus(201)
    // What the terminal left of a card that did not go through
    const at = new Date().toISOString().slice(0, 19).replace('T', ' ')
    await db.table('payments').insert({ sale_id: open.body().id, store_id: fixture.store.id, user_id: fixture.users.cashier.id, method: 'terminal_card', amount: open.body().total, status: 'cancelled', created_at: at, updated_at: at })
    ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'card_external', amount: open.body().total })).assertStatus(201)
    const text = await metricsUntil((t) => sample(t, 'pos_sales_total', { store, tender: 'card_external' }) === 1)
    // It was a "split" sale, paid twice over
    assert.equal(sample(text, 'pos_sales_total', { store, tender: 'card_external' }), 1)
    assert.equal(sample(text, 'pos_sale_amount_minor_total', { store, tender: 'card_external' }), open.body().total)
    assert.equal(sample(text, 'pos_sale_amount_minor_total', { store, tender: 'terminal_card' }), 0)
    assert.equal(sample(text, 'pos_sales_total', { store, tender: 'split' }), 0)
  })

  test('open live-update streams are counted while they are open', async ({ assert }) => {
    const fixture = await createStore()
    const before = sample((await metrics()).text, 'pos_sse_connections')
    const stream = await new LiveStream(await signIn(base(), fixture.users.manager.email, PASSWORD)).open()
    assert.equal(sample((await metrics()).text, 'pos_sse_connections'), before + 1)
    stream.close()
    assert.equal(sample(await metricsUntil((t) => sample(t, 'pos_sse_connections') === before), 'pos_sse_connections'), before)
  })

  test('not public: loopback only by default, a forwarded outside address is refused; METRICS_TOKEN needs the bearer', async ({ assert, cleanup }) => {
    const plain = await metrics()
    assert.equal(plain.status, 200)
    assert.include(plain.type, 'text/plain')
    assert.equal((await metrics({ 'X-Forwarded-For': '203.0.113.9' })).status, 403)
    assert.equal((await metrics({ 'X-Forwarded-For': '127.0.0.1' })).status, 200)

    const allowBefore = env.get('METRICS_ALLOW')
    env.set('METRICS_ALLOW', '192.0.2.1')
    cleanup(() => restoreEnv('METRICS_ALLOW', allowBefore))
    assert.equal((await metrics()).status, 403)

    const tokenBefore = env.get('METRICS_TOKEN')
    env.set('METRICS_TOKEN', 'scrape-secret-1')
    cleanup(() => restoreEnv('METRICS_TOKEN', tokenBefore))
    assert.equal((await metrics()).status, 401)
    assert.equal((await metrics({ Authorization: 'Bearer wrong-secret-1' })).status, 401)
    const allowed = await metrics({ Authorization: 'Bearer scrape-secret-1' })
    assert.equal(allowed.status, 200)
    assert.include(allowed.text, 'pos_http_request_duration_seconds')
  })
})
