/*
| The HTTP client of the benches (files starting with "_" are not commands): keep-alive requests
| with the session's cookies and the page's CSRF token, as the till's browser sends them; bytes as
| they came over the wire and decoded; what the client waited and what the server says it worked.
*/
import { Agent, request as httpRequest } from 'node:http'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'

export interface BenchAnswer {
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

function decode(encoding: string | undefined, wire: Buffer) {
  if (encoding === 'br') return brotliDecompressSync(wire)
  if (encoding === 'gzip') return gunzipSync(wire)
  if (encoding === 'deflate') return inflateSync(wire)
  return wire
}

export interface Timing {
  /** What the bench client waited */
  client: number
  /** What the server says it worked (Server-Timing: app;dur=) */
  server: number
}

/** The server's own time for a request, from its Server-Timing header (NaN without one) */
export function serverTime(answer: BenchAnswer) {
  return Number(/app;dur=([\d.]+)/.exec(String(answer.headers['server-timing'] ?? ''))?.[1] ?? NaN)
}

interface RequestOptions {
  headers?: Record<string, string>
  body?: string
  /** Accept-Encoding of this request (else the client's; none: the server answers uncompressed) */
  encoding?: string
  timeoutMs?: number
  retried?: boolean
}

/** One browser's (or API client's) session on the server: its cookies (the session's, HttpOnly), and the page's CSRF token */
export class BenchClient {
  cookies = new Map<string, string>()
  csrf = ''
  readonly #ownAgent: boolean

  constructor(
    private port: number,
    private options: { agent?: Agent; encoding?: string } = {}
  ) {
    this.#ownAgent = !options.agent
    this.options.agent ??= new Agent({ keepAlive: true, maxSockets: 1 })
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<BenchAnswer> {
    const encoding = options.encoding ?? this.options.encoding
    const headers: Record<string, string> = { ...(encoding ? { 'accept-encoding': encoding } : {}), ...options.headers }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
    const startedAt = performance.now()
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.options.agent }, (res) => {
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
      req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as it was reused: the request never reached the
        // server, so it is sent again once (Node's documented way out of that race)
        if (req.reusedSocket && error.code === 'ECONNRESET' && !options.retried) {
          this.request(method, path, { ...options, retried: true }).then(resolve, reject)
        } else {
          reject(error)
        }
      })
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

  form(path: string, fields: Record<string, string | number>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString()
    return this.request('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept': 'text/html', ...headers }, body })
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
    const page = { headers: { accept: 'text/html' } }
    const login = await this.request('GET', '/login', page)
    if (login.status !== 200 || !this.readCsrf(login.body.toString())) throw new Error(`GET /login answered ${login.status} without a CSRF token`)
    const posted = await this.form('/login', { email, password, _csrf: this.csrf })
    if (posted.status !== 302 || String(posted.headers.location).includes('/login')) throw new Error(`signing in ${email} failed (${posted.status} -> ${posted.headers.location})`)
    let till = await this.request('GET', '/till', page)
    if (till.status === 200 && till.body.toString().includes('action="/till/register"')) {
      this.readCsrf(till.body.toString())
      const chosen = await this.form('/till/register', { register_id: registerId, _csrf: this.csrf })
      if (chosen.status >= 400) throw new Error(`POST /till/register answered ${chosen.status}`)
      till = await this.request('GET', '/till', page)
    }
    if (till.status !== 200) throw new Error(`GET /till answered ${till.status}`)
    this.readCsrf(till.body.toString())
    return till
  }

  close() {
    if (this.#ownAgent) this.options.agent!.destroy()
  }
}
