/*
| The checks of scripts/test-nginx.sh, run against nginx (PROXY_URL, TLS) in front of the app
| (APP_DIRECT_URL) with the demo store: a page, a live event, and the login rate limit counting the
| client's address. Client addresses are real source addresses on loopback (127.0.0.2, 127.0.0.3).
| Exits 1 on the first failed check.
*/
import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { randomUUID } from 'node:crypto'
import { LiveStream, signIn } from '#tests/live_client'

const proxy = process.env.PROXY_URL!
const plain = process.env.PLAIN_URL!
const direct = process.env.APP_DIRECT_URL!
const EMAIL = 'manager@demo.test'
const PASSWORD = 'demo-pass-1'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** One HTTP(S) request from a chosen source address, body read whole (or only the head: stream) */
function send(url: string, options: { method?: string; from?: string; headers?: Record<string, string>; body?: string; headOnly?: boolean } = {}) {
  const target = new URL(url)
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', localAddress: options.from, headers: options.headers, agent: false, timeout: 15_000 },
      (res) => {
        if (options.headOnly) {
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0) })
          res.destroy()
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      }
    )
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

let failures = 0
function check(ok: boolean, what: string, detail = '') {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `: ${detail}` : ''}`)
  if (!ok) failures++
}

const login = (base: string, from: string, password: string, headers: Record<string, string> = {}) =>
  send(`${base}/api/auth/login`, {
    method: 'POST',
    from,
    headers: { 'content-type': 'application/json', 'accept': 'application/json', ...headers },
    body: JSON.stringify({ email: EMAIL, password }),
  })

// ------------------------------------------------------------------ a page
console.log('a page through nginx')
const redirect = await send(`${plain}/login`)
check(redirect.status === 301 && String(redirect.headers.location).startsWith('https://'), 'plain HTTP is sent to HTTPS', `${redirect.status} ${redirect.headers.location}`)
const page = await send(`${proxy}/login`, { headers: { 'accept-encoding': 'gzip' } })
check(page.status === 200, 'GET /login over TLS answers 200', String(page.status))
check(page.headers['content-encoding'] === 'gzip', 'the page comes gzipped', String(page.headers['content-encoding']))
const html = page.headers['content-encoding'] === 'gzip' ? gunzipSync(page.body).toString() : page.body.toString()
check(/name=['"]_csrf['"]/.test(html) && /name=['"]password['"]/.test(html), 'it is the sign-in form')

// ------------------------------------------------------------------ a live event
console.log('a live event (server-sent events) through nginx')
const session = await signIn(proxy, EMAIL, PASSWORD)
const tokenAnswer = await login(proxy, '127.0.0.1', PASSWORD)
const token = JSON.parse(tokenAnswer.body.toString()).token as string
const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(proxy + path, {
    method: init.method ?? 'GET',
    headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json', 'accept': 'application/json', 'idempotency-key': randomUUID() },
    body: init.body ? JSON.stringify(init.body) : undefined,
  })
const me = (await (await api('/api/auth/me')).json()) as { store: { id: number } }
const products = (await (await api('/api/products?per_page=50')).json()) as { data: { id: number; stock: number }[] }
const product = products.data.find((p) => p.stock >= 5)!

const head = await send(`${proxy}/__transmit/events?uid=${randomUUID()}`, {
  headers: { 'cookie': session.header(), 'accept': 'text/event-stream', 'accept-encoding': 'gzip' },
  headOnly: true,
})
check(head.status === 200 && String(head.headers['content-type']).startsWith('text/event-stream'), 'the event stream opens', `${head.status} ${head.headers['content-type']}`)
check(head.headers['content-encoding'] === undefined, 'the event stream is not gzipped, though the client accepts gzip', String(head.headers['content-encoding']))

const stream = await new LiveStream(session).open()
const subscribed = await stream.subscribe(`stores/${me.store.id}/stock`)
check(subscribed === 204, 'subscribing to the store\u2019s stock channel through nginx', String(subscribed))
const arrival = stream.waitFor((m) => m.payload?.reason === 'sale' && m.payload.products?.some((p: any) => p.id === product.id))
const sale = await api('/api/sales', { method: 'POST', body: { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash' } })
check(sale.status === 201, 'a sale through nginx', String(sale.status))
// A buffered stream would hold this small event back (until a buffer fills or the stream ends):
// it has to come while the stream stays open
const deadline = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref())
const message = await Promise.race([arrival, deadline])
check(message !== null, 'its stock update arrives on the open stream (within 5 s)')
stream.close()

// ------------------------------------------------------------------ whose address is limited
console.log('the login rate limit counts the client\u2019s address, not nginx\u2019s')
const statuses: number[] = []
for (let i = 0; i < 5; i++) statuses.push((await login(proxy, '127.0.0.2', 'wrong-password')).status)
check(statuses.every((s) => s !== 429 && s >= 400 && s < 500), '5 wrong passwords from 127.0.0.2 are refused, not yet blocked', statuses.join(','))
const blocked = await login(proxy, '127.0.0.2', PASSWORD)
check(blocked.status === 429, 'then 127.0.0.2 is blocked (429), even with the right password', String(blocked.status))
const other = await login(proxy, '127.0.0.3', PASSWORD)
check(other.status === 200, '127.0.0.3 still signs in through the same nginx', String(other.status))
const forgedViaProxy = await login(proxy, '127.0.0.2', PASSWORD, { 'x-forwarded-for': '198.51.100.7' })
check(forgedViaProxy.status === 429, 'a forged X-Forwarded-For sent through nginx does not unblock 127.0.0.2', String(forgedViaProxy.status))
const forgedDirect = await login(direct, '127.0.0.2', PASSWORD, { 'x-forwarded-for': '198.51.100.7' })
check(forgedDirect.status === 429, 'nor sent straight to the app: 127.0.0.2 is not a trusted proxy', String(forgedDirect.status))
// The other side of the same setting: the trusted proxy's address (127.0.0.1) is believed
const fromProxyAddress = await login(direct, '127.0.0.1', PASSWORD, { 'x-forwarded-for': '127.0.0.2' })
check(fromProxyAddress.status === 429, 'X-Forwarded-For from 127.0.0.1 (TRUSTED_PROXIES) is believed', String(fromProxyAddress.status))

if (failures) {
  console.error(`${failures} check(s) failed`)
  process.exit(1)
}
console.log('all nginx checks passed')
process.exit(0)
