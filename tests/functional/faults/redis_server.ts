import { spawn, execFileSync, type ChildProcess } from 'node:child_process'

/*
| A redis-server of a test's own, on a port of its own (empty, no persistence): started, stopped
| (an outage), started again. Used by the specs about Redis going away.
*/

export function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
      if (output.includes('Ready to accept connections')) resolve(child)
    })
    child.once('exit', () => reject(new Error(`redis-server ended: ${output}`)))
  })
}

export async function stopRedis(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const ended = new Promise((resolve) => child.once('exit', resolve))
  // A stopped (SIGSTOP) server ends once resumed
  child.kill('SIGCONT')
  child.kill('SIGTERM')
  await ended
}

export function redisCli(port: number, ...args: string[]) {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim()
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `done()` is true (checked every 100 ms), or fails after `ms` */
export async function waitFor(done: () => boolean | Promise<boolean>, ms: number, what: string) {
  const until = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`)
    await sleep(100)
  }
}
