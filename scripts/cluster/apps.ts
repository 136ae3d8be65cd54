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
  await waitPortFree(port)
  const server = startServer(new URL('../../', import.meta.url), { ...env, PORT: String(port), HOST: '127.0.0.1' })
  await waitForServer(server, port)
  return { port, pid: server.child.pid!, kill: () => server.child.exitCode === null && server.child.kill('SIGKILL') }
}

/** A redis-server on its own port, keeping nothing on disk */
export async function startRedis(port: number) {
  await waitPortFree(port)
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let i = 0; i < 50 && !(await portOpen(port)); i++) await sleep(100)
  return { pid: child.pid!, stop: () => child.exitCode === null && child.kill('SIGTERM') }
}

/**
 * The previous test's server or Redis on this port may still be ending (npm run test:cluster runs
 * the tests one after the other on one cluster): waiting here keeps its answers from being taken
 * for the new one's
 */
async function waitPortFree(port: number) {
  for (let i = 0; i < 100 && (await portOpen(port)); i++) await sleep(100)
  if (await portOpen(port)) throw new Error(`port ${port} is still taken after 10 s`)
}
