/*
| Helpers shared by the pos:* commands (files starting with "_" are not commands).
|
| The HTTP server runs as a child process: `node --import @poppinss/ts-exec bin/server.ts`,
| the same loader ace.js uses, so a fresh clone serves with no build step. The parent forwards
| SIGINT/SIGTERM and exits with the child's code.
*/
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { request as httpRequest } from 'node:http'
import { fileURLToPath } from 'node:url'

export interface ServerProcess {
  child: ChildProcess
  exited: Promise<number>
  stop(signal?: NodeJS.Signals): Promise<number>
}

/**
 * Bounds on V8's heap for the server, off unless asked for: SERVER_SEMI_SPACE_MB and
 * SERVER_MAX_OLD_SPACE_MB (in MB; a flag in NODE_OPTIONS wins). By default V8 sizes the heap
 * itself, as before these existed (here: 64 MB per semi-space, about 4 GB of old generation).
 * The bounds trade throughput for memory, measured under pos:bench (MariaDB, 2 cores, alternate
 * runs): with --max-semi-space-size=16 the young generation filled 3.5 times as often (230
 * scavenges in a run against 64), and with --max-old-space-size=512 V8 grows the old generation
 * by a smaller factor after each full collection (its growth factor falls from 4 toward 1.3 when
 * the limit is under about 2 GB), so it ran 5 times as many (14-16 against 3-4). Together they
 * doubled the server's time in the collector and cost a third of the sales per second; the RSS
 * they save (about 350 MB against 500 MB under load, see docs/speed.md#memory) is worth it only on a
 * machine short of memory: SERVER_SEMI_SPACE_MB=16 SERVER_MAX_OLD_SPACE_MB=512.
 */
export function serverNodeFlags(env: Record<string, string | undefined> = process.env): string[] {
  const flags: string[] = []
  const options = env.NODE_OPTIONS ?? ''
  const semiSpace = Number(env.SERVER_SEMI_SPACE_MB ?? 0)
  if (!options.includes('--max-semi-space-size') && Number.isInteger(semiSpace) && semiSpace > 0) flags.push(`--max-semi-space-size=${semiSpace}`)
  const oldSpace = Number(env.SERVER_MAX_OLD_SPACE_MB ?? 0)
  if (!options.includes('--max-old-space-size') && Number.isInteger(oldSpace) && oldSpace > 0) flags.push(`--max-old-space-size=${oldSpace}`)
  return flags
}

export function startServer(appRoot: URL, env: Record<string, string | undefined>, options: { quiet?: boolean; pipeErrors?: boolean } = {}): ServerProcess {
  const child = spawn(process.execPath, [...serverNodeFlags({ ...process.env, ...env }), '--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: fileURLToPath(appRoot),
    // glibc gives each thread that allocates its own malloc arena (up to 8 per core), and
    // keeps their freed pages: two arenas held about 60 MB less under pos:bench-soak
    env: { MALLOC_ARENA_MAX: '2', ...process.env, ...env },
    // quiet: stdout is piped to the caller, which must read it; pipeErrors: stderr too
    stdio: options.quiet ? ['ignore', 'pipe', options.pipeErrors ? 'pipe' : 'inherit'] : 'inherit',
  })
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)))
    child.once('error', () => resolve(1))
  })
  return {
    child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/**
 * Keeps the command alive while the server runs: forwards signals, resolves with its exit code.
 * A server that stops on its own (a crash, a port taken) ends with a failure code.
 */
export async function serveUntilExit(server: ServerProcess): Promise<number> {
  let signalled = false
  const forward = (signal: NodeJS.Signals) => () => {
    signalled = true
    if (server.child.exitCode === null) server.child.kill(signal)
  }
  const onInt = forward('SIGINT')
  const onTerm = forward('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  try {
    const code = await server.exited
    return signalled ? 0 : code || 1
  } finally {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}

/** Resolves once the server answers HTTP on 127.0.0.1:port; rejects if it exits first or times out */
export async function waitForServer(server: ServerProcess, port: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  let exited = false
  server.exited.then(() => (exited = true))
  while (Date.now() < deadline) {
    if (exited) throw new Error('The HTTP server exited before it answered')
    // (the port was checked free before the start, so whoever answers is this server)
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/login', method: 'GET', timeout: 1000 }, (res) => {
        res.resume()
        resolve(true)
      })
      req.on('error', () => resolve(false))
      req.on('timeout', () => {
        req.destroy()
        resolve(false)
      })
      req.end()
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  throw new Error(`The HTTP server did not answer on port ${port} within ${timeoutMs / 1000}s`)
}

/** Fails early, with a useful message, when something else already listens on the port */
export async function ensurePortFree(port: number, host: string) {
  if (!(await portIsFree(port, host))) {
    throw new Error(`Port ${port} is already in use (another server?). Stop it or choose another port: PORT=3335 npm run ...`)
  }
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, host, () => probe.close(() => resolve(true)))
  })
}

/** The wanted port if free, else one the system picks */
export async function freePort(wanted: number): Promise<number> {
  if (await portIsFree(wanted)) return wanted
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Runs the pending migrations of the default connection; returns the names of those it ran */
export async function migrate(): Promise<string[]> {
  const { runMigrations } = await import('#platform/migrations')
  return runMigrations()
}

/** Where the default connection points, for humans */
export async function describeDatabase(app: any): Promise<string> {
  const db = await app.container.make('lucid.db')
  const name = db.primaryConnectionName
  const config = db.getRawConnection(name)?.config ?? db.manager.get(name)?.config
  if (config?.client === 'better-sqlite3' || config?.client === 'sqlite3') {
    return `SQLite (${config.connection?.filename})`
  }
  const c = config?.connection ?? {}
  let version = ''
  try {
    const [rows] = await db.connection().rawQuery('select version() as v')
    version = ` ${rows[0]?.v ?? ''}`
  } catch {}
  return `MySQL/MariaDB${version} (${c.user}@${c.host}:${c.port ?? 3306}/${c.database})`
}

/**
 * Starts the HTTP server on a free port and waits until it answers. Returns the running
 * server, or null after logging why it could not start (port taken, server died).
 */
export async function launchServer(
  command: { app: any; logger: { error(message: string): void } },
  port: number,
  host: string,
  env: Record<string, string | undefined>
): Promise<ServerProcess | null> {
  try {
    await ensurePortFree(port, host)
  } catch (error) {
    command.logger.error((error as Error).message)
    return null
  }
  const server = startServer(command.app.appRoot, env)
  try {
    await waitForServer(server, port)
    return server
  } catch (error) {
    command.logger.error((error as Error).message)
    await server.stop()
    return null
  }
}

/** The p-th percentile (nearest rank) of samples sorted ascending; NaN without any */
export function percentile(sorted: number[], p: number) {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}
