/*
| The HTTP client of pos:bench (files starting with "_" are not commands): keep-alive requests
| with the session's cookies and the page's CSRF token, as the till's browser sends them.
*/
import { type Agent, request as httpRequest } from 'node:http'

export interface BenchAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export class BenchClient {
  cookies = new Map<string, string>()
  csrf = ''

  constructor(
    private agent: Agent,
    private port: number
  ) {}

  request(method: string, path: string, options: { headers?: Record<string, string>; body?: string; timeoutMs?: number; retried?: boolean } = {}): Promise<BenchAnswer> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair] = line.split(';')
            const eq = pair.indexOf('=')
            const name = pair.slice(0, eq).trim()
            const value = pair.slice(eq + 1).trim()
            if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name)
            else this.cookies.set(name, value)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
        })
        res.on('error', reject)
      })
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
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

  form(path: string, fields: Record<string, string | number>, headers: Record<string, string> = {}) {
    const pairs: [string, string][] = Object.entries(fields).map(([k, v]) => [k, String(v)])
    const body = new URLSearchParams(pairs).toString()
    return this.request('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body })
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
}

export interface Timing {
  /** What the bench client waited */
  client: number
  /** What the server says it worked (Server-Timing: app;dur=) */
  server: number
}

/** The server's own time for a request, from its Server-Timing header (NaN without one) */
export function serverTime(res: BenchAnswer) {
  const header = String(res.headers['server-timing'] ?? '')
  return Number(/app;dur=([\d.]+)/.exec(header)?.[1] ?? NaN)
}
