/*
| Helpers of node ace pos:bench-offline (files starting with "_" are not commands): a browser-like
| HTTP session (cookies, CSRF token, Accept-Encoding, bytes on the wire), the bench store's offline
| register and cashier, and a queue of offline sales built with the core's own code
| (priceOfflineCart, offlineAmountDue, sealOfflineSale), as the browser's till builds them.
*/
import { randomUUID } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { offlineAmountDue, priceOfflineCart, sealOfflineSale, type OfflineItem, type OfflinePayment, type OfflineSaleBody } from '#core/offline_sale'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The body as it came over the wire (compressed when the server compressed it) */
  wire: Buffer
  /** The body decoded */
  body: Buffer
  /** What the client waited, ms */
  elapsed: number
}

/** Accept-Encoding as Chromium sends it: over HTTPS it adds br (and zstd); over plain HTTP it does not */
export const BROWSER_ENCODINGS = { https: 'gzip, deflate, br, zstd', http: 'gzip, deflate' }

export function decode(encoding: string | undefined, wire: Buffer) {
  if (encoding === 'br') return brotliDecompressSync(wire)
  if (encoding === 'gzip') return gunzipSync(wire)
  if (encoding === 'deflate') return inflateSync(wire)
  return wire
}

/** The server's own time for a request, from its Server-Timing header (NaN without one) */
export function serverTime(answer: Answer) {
  return Number(/app;dur=([\d.]+)/.exec(String(answer.headers['server-timing'] ?? ''))?.[1] ?? NaN)
}

export function median(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  if (!sorted.length) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** One browser's session on the server: its cookies (the session's, HttpOnly), and the page's CSRF token */
export class BrowserSession {
  cookies = new Map<string, string>()
  csrf = ''
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 })

  constructor(readonly port: number) {}

  request(method: string, path: string, options: { headers?: Record<string, string>; body?: string; encoding?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'accept-encoding': options.encoding ?? BROWSER_ENCODINGS.http, ...options.headers }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
    const startedAt = performance.now()
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => {
          const elapsed = performance.now() - startedAt
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair] = line.split(';')
            const eq = pair.indexOf('=')
            const name = pair.slice(0, eq).trim()
            const value = pair.slice(eq + 1).trim()
            if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name)
            else this.cookies.set(name, value)
          }
          const wire = Buffer.concat(chunks)
          try {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, body: decode(res.headers['content-encoding'] as string | undefined, wire), elapsed })
          } catch (error) {
            reject(error)
          }
        })
        res.on('error', reject)
      })
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
      req.on('error', reject)
      if (options.body !== undefined) req.write(options.body)
      req.end()
    })
  }

  /** JSON as the offline till sends it (resources/js/offline/net.js): the page's CSRF token on writes */
  json(method: string, path: string, body?: unknown) {
    return this.request(method, path, {
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': this.csrf }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }

  form(path: string, fields: Record<string, string | number>) {
    const body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString()
    return this.request('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body })
  }

  /** The CSRF token a page carries: the hidden _csrf input, or the hx-headers of <body> */
  readCsrf(html: string) {
    const token =
      html.match(/name="_csrf"\s+value="([^"]+)"/)?.[1] ??
      html.match(/value="([^"]+)"\s+name="_csrf"/)?.[1] ??
      html.match(/"x-csrf-token"\s*:\s*"([^"]+)"/)?.[1] ??
      html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1]
    if (token) this.csrf = token
    return token
  }

  /** Signs in through the login form and opens the till on a register, as a cashier does; answers the till page */
  async signInAtTill(email: string, password: string, registerId: number) {
    const login = await this.request('GET', '/login', { headers: { accept: 'text/html' } })
    if (login.status !== 200 || !this.readCsrf(login.body.toString())) throw new Error(`GET /login answered ${login.status} without a CSRF token`)
    const posted = await this.form('/login', { email, password, _csrf: this.csrf })
    if (posted.status !== 302 || String(posted.headers.location).includes('/login')) throw new Error(`signing in ${email} failed (${posted.status} -> ${posted.headers.location})`)
    let till = await this.request('GET', '/till', { headers: { accept: 'text/html' } })
    if (till.status === 200 && till.body.toString().includes('action="/till/register"')) {
      this.readCsrf(till.body.toString())
      const chosen = await this.form('/till/register', { register_id: registerId, _csrf: this.csrf })
      if (chosen.status >= 400) throw new Error(`POST /till/register answered ${chosen.status}`)
      till = await this.request('GET', '/till', { headers: { accept: 'text/html' } })
    }
    if (till.status !== 200) throw new Error(`GET /till answered ${till.status}`)
    this.readCsrf(till.body.toString())
    return till
  }

  close() {
    this.agent.destroy()
  }
}

export interface TillSettings {
  store: { id: number; prices_include_tax: boolean; cash_rounding: number }
  tax_rates: { tax_class: string; rate_ppm: number }[]
  user: { id: number }
}

export interface CatalogProduct {
  id: number
  name: string
  sku: string
  price: number
  tax_class: string
  active: boolean
}

/** A product of a catalog page's rows (arrays in the order of its fields) */
export function productOfRow(fields: readonly string[], row: unknown[]): CatalogProduct {
  const p = Object.fromEntries(fields.map((field, i) => [field, row[i]])) as any
  return { id: p.id, name: p.name, sku: p.sku, price: p.price, tax_class: p.tax_class, active: p.active }
}

/**
 * `count` offline sales of 1 to 5 lines each from the catalog, paid in cash (one in four by the card
 * terminal), numbered and linked from the register's head as the till does it offline, oldest first
 */
export async function buildOfflineSales(
  count: number,
  products: CatalogProduct[],
  settings: TillSettings,
  device: { deviceId: string; registerId: number },
  head: { last_number: number; last_hash: string | null },
  random: () => number = Math.random
): Promise<OfflineSaleBody[]> {
  const rates = new Map(settings.tax_rates.map((r) => [r.tax_class, r.rate_ppm]))
  const sellable = products.filter((p) => p.active)
  const sales: OfflineSaleBody[] = []
  let current = { ...head }
  // One second apart, ending now: the device's clock to the second, as the hash takes it
  const start = Math.floor(Date.now() / 1000) - count
  for (let n = 0; n < count; n++) {
    const items: OfflineItem[] = []
    const lines = 1 + Math.floor(random() * 5)
    for (let i = 0; i < lines; i++) {
      const product = sellable[Math.floor(random() * sellable.length)]
      items.push({
        product_id: product.id,
        name: product.name,
        sku: product.sku,
        quantity: 1 + Math.floor(random() * 3),
        list_price: product.price,
        unit_price: product.price,
        tax_class: product.tax_class,
        tax_rate_ppm: rates.get(product.tax_class) ?? 0,
        discount_type: null,
        discount_value: 0,
      })
    }
    const priced = await priceOfflineCart(items, { type: null, value: 0 }, { id: settings.store.id, pricesIncludeTax: settings.store.prices_include_tax })
    const method: OfflinePayment['method'] = n % 4 === 3 ? 'card_external' : 'cash'
    const amount = offlineAmountDue(priced.total, [], method, settings.store.cash_rounding)
    const payments: OfflinePayment[] = [method === 'cash' ? { method, amount, tendered: amount, reference: null } : { method, amount, tendered: null, reference: `BENCH-${n + 1}` }]
    const sale = sealOfflineSale(
      {
        client_uuid: randomUUID(),
        device_id: device.deviceId,
        register_id: device.registerId,
        user_id: settings.user.id,
        completed_at: new Date((start + n) * 1000).toISOString(),
        cart_discount_type: null,
        cart_discount_value: 0,
        items,
        payments,
      },
      priced,
      current,
      settings.store.id
    )
    current = { last_number: sale.number, last_hash: sale.hash }
    sales.push(sale)
  }
  return sales
}
