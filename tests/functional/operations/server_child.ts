import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { waitForServer, type ServerProcess } from '../../../commands/_server.js'

/*
| A real server process for the operations tests (logs, SIGTERM): bin/server.ts as `npm start`
| runs it, its stdout and stderr captured whole.
*/
export interface CapturedServer extends ServerProcess {
  url: string
  output(): string
}

export async function startCapturedServer(port: number, env: Record<string, string>): Promise<CapturedServer> {
  const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout!.on('data', (chunk) => (text += chunk))
  child.stderr!.on('data', (chunk) => (text += chunk))
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)))
    child.once('error', () => resolve(1))
  })
  const server: CapturedServer = {
    child,
    exited,
    url: `http://127.0.0.1:${port}`,
    output: () => text,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
  try {
    await waitForServer(server, port, 90_000)
  } catch (error) {
    await server.stop()
    throw new Error(`${(error as Error).message}\n${text}`)
  }
  return server
}
