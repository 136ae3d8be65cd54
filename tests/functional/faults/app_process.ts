import { fileURLToPath } from 'node:url'
import { startServer, waitForServer, type ServerProcess } from '../../../commands/_server.js'
import { TcpProxy } from './tcp_proxy.js'

/*
| A real app server as a child process (bin/server.ts), on the test run's database, for the
| tests that kill it, or cut what it depends on, and look at what its clients get.
*/

const appRoot = new URL('../../../', import.meta.url)

export class AppProcess {
  server!: ServerProcess
  output = ''
  /** What it wrote to stderr (passed on to the test run's stderr as well) */
  errors = ''
  constructor(
    public port: number,
    public env: Record<string, string | undefined> = {}
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  async start(env: Record<string, string | undefined> = {}) {
    this.server = startServer(appRoot, { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(this.port), LOG_LEVEL: 'warn', ...this.env, ...env }, { quiet: true, pipeErrors: true })
    this.server.child.stdout!.on('data', (chunk) => (this.output += chunk))
    this.server.child.stderr!.on('data', (chunk) => {
      this.errors += chunk
      process.stderr.write(chunk)
    })
    await waitForServer(this.server, this.port)
    return this
  }

  /** How the process ended: the signal's name, or its exit code */
  async ended(): Promise<string> {
    await this.server.exited
    return this.server.child.signalCode ?? String(this.server.child.exitCode)
  }

  async stop() {
    if (this.server) await this.server.stop()
  }

  request(path: string, init: { method?: string; token?: string; key?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers }
    if (init.token) headers.authorization = `Bearer ${init.token}`
    if (init.key) headers['idempotency-key'] = init.key
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    return fetch(this.url + path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: init.signal })
  }
}

export const appRootPath = fileURLToPath(appRoot)

/** The cookies a browser keeps from the app's answers */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }

  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/** Signs in through the sign-in form, as a browser does: its session's cookies */
export async function signIn(app: AppProcess, email: string, password: string) {
  const jar = new CookieJar()
  const form = await fetch(`${app.url}/login`)
  jar.keep(form)
  const csrf = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(await form.text())![1]
  const login = await fetch(`${app.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': jar.header() },
    body: new URLSearchParams({ _csrf: csrf, email, password }),
  })
  jar.keep(login)
  return jar
}

/**
 * A child server whose database is the run's MariaDB behind a TCP proxy (which the test cuts,
 * freezes or holds): each test starts its own pair with the function answered, and both are
 * stopped after it
 */
export function appsBehindProxy(group: { each: { teardown(cleanup: () => Promise<void>): unknown } }, port: number, proxyPort: number) {
  let app: AppProcess | null = null
  let proxy: TcpProxy | null = null
  group.each.teardown(async () => {
    await app?.stop()
    await proxy?.cut()
    app = proxy = null
  })
  return async (env: Record<string, string> = {}) => {
    proxy = await new TcpProxy(proxyPort, { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) }).start()
    app = await new AppProcess(port, { DB_PORT: String(proxyPort), ...env }).start()
    return { app, proxy }
  }
}
