/*
| App servers and a Redis of their own for the cluster scripts: each server is `bin/server.ts` in a
| child process (as pos:start runs it), killed with SIGKILL to play a crash.
*/
import { spawn } from 'node:child_process'
import { startServer, waitForServer } from '../../commands/_server.ts'
import { portOpen, sleep } from './galera.ts'

export interface AppServer {
  port: number
  pid: number
  kill(): void
}

export async function startAppServer(port: number, env: Record<string, string>): Promise<AppServer> {
  const server = startServer(new URL('../../', import.meta.url), { ...env, PORT: String(port), HOST: '127.0.0.1' })
  await waitForServer(server, port)
  return { port, pid: server.child.pid!, kill: () => server.child.exitCode === null && server.child.kill('SIGKILL') }
}

/** A redis-server on its own port, keeping nothing on disk */
export async function startRedis(port: number) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let i = 0; i < 50 && !(await portOpen(port)); i++) await sleep(100)
  return { pid: child.pid!, stop: () => child.exitCode === null && child.kill('SIGTERM') }
}
