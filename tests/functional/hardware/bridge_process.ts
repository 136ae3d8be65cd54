import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/*
| The bridge as the till's computer runs it: a real child process (bin/bridge.ts) talking to the
| test HTTP server over real HTTP and to the fake printer over real TCP.
*/

const root = fileURLToPath(new URL('../../../', import.meta.url))
export const SERVER = `http://127.0.0.1:${process.env.PORT ?? 3334}`

export class BridgeProcess {
  child!: ChildProcess
  output = ''
  exited!: Promise<number>
  constructor(public stateFile = join(root, 'tmp', `bridge-${randomUUID()}.json`)) {}

  start(args: Record<string, string> = {}) {
    const argv = ['--import', '@poppinss/ts-exec', 'bin/bridge.ts', '--state', this.stateFile, '--health-interval', '500']
    for (const [key, value] of Object.entries({ server: SERVER, ...args })) argv.push(`--${key}`, value)
    this.output = ''
    this.child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stdout!.on('data', (chunk) => (this.output += chunk))
    this.child.stderr!.on('data', (chunk) => (this.output += chunk))
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 1))))
    return this
  }

  /** SIGKILL: the power cut, nothing written on the way out */
  async kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(timer)
  }
}
