import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { hostname } from 'node:os'
import { send, probe, DeviceError, type DeviceTarget } from '#hardware/transports'

/*
| The hardware bridge: runs on the till's computer, with nothing of the server but this file and
| transports.ts. It pairs once (a one-time code for a long-lived token, saved in its state
| file), then holds an outgoing event stream to the server: jobs come down it, each outcome goes
| back over HTTP. It reconnects by itself (1 s, 2 s ... 15 s), also when the stream goes silent
| (a connection cut without a close), reports its devices' health every
| few seconds, and stops for good when the server says it was revoked (401).
|
| A job is printed at most once by this bridge: the ids of the jobs it printed are written to
| the state file before the outcome is sent, so a job sent again (the acknowledgement was lost,
| the bridge restarted) is acknowledged without printing it twice.
*/

export const BRIDGE_VERSION = '1.0.0'

export interface BridgeOptions {
  server?: string
  code?: string
  name?: string
  stateFile: string
  healthIntervalMs?: number
  replyTimeoutMs?: number
  /**
   * How long the event stream may stay silent (the server pings every 15 s) before the bridge
   * takes it for dead and connects again
   */
  streamTimeoutMs?: number
  /** Write to any file a device names, not only printers' and serial lines' (a udev symlink of the till's own; tests) */
  anyDeviceFile?: boolean
  log?: (message: string) => void
}

interface BridgeState {
  server: string
  token: string
  bridgeId: number
  /** Jobs printed (newest last), to acknowledge a resent job without printing it again */
  printed: number[]
}

interface JobMessage {
  id: number
  kind: string
  device: DeviceTarget
  data: string
}

export class BridgeRevoked extends Error {}

const PRINTED_KEPT = 2000

export class BridgeClient {
  private state!: BridgeState
  private devices: DeviceTarget[] = []
  private queue: JobMessage[] = []
  private working = false
  private inQueue = new Set<number>()
  private stopped = false
  private abort: AbortController | null = null
  private healthTimer: NodeJS.Timeout | null = null
  private log: (message: string) => void
  private lastHealth: { id: number; ok: boolean; message: string }[] = []
  wasRevoked = false

  constructor(private options: BridgeOptions) {
    this.log = options.log ?? ((message) => console.log(`[bridge] ${new Date().toISOString()} ${message}`))
  }

  /** Pairs when given a code, else loads the saved token; then serves until stopped or revoked */
  async run(): Promise<void> {
    if (this.options.code) await this.pair()
    else this.load()
    this.healthTimer = setInterval(() => this.reportHealth().catch(() => {}), this.options.healthIntervalMs ?? 10_000)
    let delay = 1000
    try {
      while (!this.stopped) {
        try {
          await this.listen()
          delay = 1000
        } catch (error) {
          if (error instanceof BridgeRevoked) throw error
          if (this.stopped) break
          this.log(`no connection to ${this.state.server} (${reason(error)}); trying again in ${delay / 1000} s`)
        }
        if (this.stopped) break
        await new Promise((resolve) => setTimeout(resolve, delay))
        delay = Math.min(15_000, delay * 2)
      }
    } finally {
      this.stop()
    }
  }

  stop() {
    this.stopped = true
    this.abort?.abort()
    if (this.healthTimer) clearInterval(this.healthTimer)
    this.healthTimer = null
  }

  private load() {
    try {
      this.state = JSON.parse(readFileSync(this.options.stateFile, 'utf8'))
    } catch {
      throw new Error(`No pairing found in ${this.options.stateFile}: pair first with --code (back office → Devices → Pair a bridge)`)
    }
    if (this.options.server) this.state.server = this.options.server.replace(/\/+$/, '')
    this.state.printed ??= []
  }

  private save() {
    mkdirSync(dirname(this.options.stateFile), { recursive: true })
    const temporary = `${this.options.stateFile}.tmp`
    writeFileSync(temporary, JSON.stringify(this.state, null, 2), { mode: 0o600 })
    renameSync(temporary, this.options.stateFile)
  }

  private async pair() {
    const server = (this.options.server ?? '').replace(/\/+$/, '')
    if (!server) throw new Error('Give the server address: --server http://pos.example:3333')
    const response = await fetch(`${server}/api/bridge/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code: this.options.code, name: this.options.name ?? `Bridge on ${hostname()}` }),
    }).catch((error) => {
      throw new Error(`Cannot reach the POS server at ${server} (${reason(error)})`)
    })
    const body: any = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(body?.errors?.[0]?.message ?? `Pairing failed (HTTP ${response.status})`)
    this.state = { server, token: body.token, bridgeId: body.bridge_id, printed: [] }
    this.save()
    this.log(`paired as bridge #${body.bridge_id} for register #${body.register_id}; token saved in ${this.options.stateFile}`)
  }

  private headers(json = false): Record<string, string> {
    return { authorization: `Bearer ${this.state.token}`, accept: json ? 'application/json' : 'text/event-stream', ...(json ? { 'content-type': 'application/json' } : {}) }
  }

  private revoked(): never {
    this.wasRevoked = true
    this.log('the server refused this bridge (revoked or unknown): pair it again with a new code')
    throw new BridgeRevoked('This bridge was revoked')
  }

  /**
   * One connection of the event stream, until it ends. A connection cut without a close (a
   * router restarted, the server lost power, a NAT forgot it) stays open on this side for hours:
   * the bridge waited on it for ever, its health reports kept the register "online", and no job
   * reached it. Silence longer than streamTimeoutMs (the server pings every 15 s) ends it.
   */
  private async listen() {
    const abort = (this.abort = new AbortController())
    const limit = this.options.streamTimeoutMs ?? 45_000
    let silent = false
    let watchdog: NodeJS.Timeout | undefined
    const heard = () => {
      clearTimeout(watchdog)
      watchdog = setTimeout(() => {
        silent = true
        this.log(`no word from the server for ${limit / 1000} s (not even its ping): connecting again`)
        abort.abort()
      }, limit)
    }
    heard()
    try {
      const response = await fetch(`${this.state.server}/api/bridge/events`, { headers: this.headers(), signal: abort.signal })
      if (response.status === 401) this.revoked()
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      this.log('connected')
      const decoder = new TextDecoder()
      let buffer = ''
      for await (const chunk of response.body as any as AsyncIterable<Uint8Array>) {
        heard()
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          this.handle(block)
        }
      }
      throw new Error('the server closed the stream')
    } catch (error) {
      throw silent ? new Error('the event stream went silent') : error
    } finally {
      clearTimeout(watchdog)
    }
  }

  private handle(block: string) {
    let event = 'message'
    let data = ''
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data += line.slice(5).trim()
    }
    if (!data) return
    const payload = JSON.parse(data)
    if (event === 'hello' || event === 'devices') {
      this.devices = payload.devices
      this.reportHealth().catch(() => {})
    } else if (event === 'job') {
      if (this.inQueue.has(payload.id)) return
      this.inQueue.add(payload.id)
      this.queue.push(payload)
      this.work()
    } else if (event === 'revoked') {
      this.wasRevoked = true
      this.stopped = true
      this.abort?.abort()
      this.log(payload.message ?? 'revoked')
    }
  }

  private async work() {
    if (this.working) return
    this.working = true
    try {
      while (this.queue.length && !this.stopped) {
        const job = this.queue.shift()!
        await this.perform(job)
        this.inQueue.delete(job.id)
      }
    } finally {
      this.working = false
    }
  }

  private async perform(job: JobMessage) {
    if (this.state.printed.includes(job.id)) {
      // printed before the acknowledgement got through: acknowledge, never print twice
      this.log(`job #${job.id} was printed already; acknowledging`)
      await this.report(job.id, { ok: true })
      return
    }
    try {
      await send(job.device, Buffer.from(job.data, 'base64'), { replyTimeoutMs: this.options.replyTimeoutMs, anyDeviceFile: this.options.anyDeviceFile })
    } catch (error) {
      const message = (error as Error).message
      this.log(`job #${job.id} (${job.kind}) failed: ${message}`)
      await this.report(job.id, { ok: false, error: message, permanent: error instanceof DeviceError && error.permanent })
      return
    }
    this.state.printed.push(job.id)
    if (this.state.printed.length > PRINTED_KEPT) this.state.printed.splice(0, this.state.printed.length - PRINTED_KEPT)
    this.save()
    this.log(`job #${job.id} (${job.kind}) done`)
    await this.report(job.id, { ok: true })
  }

  /** Sends an outcome, trying again a few times; if it never arrives, the job is resent later */
  private async report(jobId: number, outcome: { ok: boolean; error?: string; permanent?: boolean }) {
    for (let attempt = 1; attempt <= 5 && !this.stopped; attempt++) {
      try {
        const response = await fetch(`${this.state.server}/api/bridge/jobs/${jobId}/result`, {
          method: 'POST',
          headers: this.headers(true),
          body: JSON.stringify(outcome),
        })
        if (response.status === 401) {
          this.wasRevoked = true
          this.stop()
          return
        }
        if (response.ok || response.status === 404) return
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt))
    }
  }

  private async reportHealth() {
    if (this.stopped || !this.state) return
    // a drawer is reached through its printer; while a job prints, the last report stands
    // (many printers take one connection at a time)
    const devices = this.working
      ? this.lastHealth
      : await Promise.all(this.devices.filter((d: any) => d.kind !== 'drawer').map(async (device) => ({ id: device.id, ...(await probe(device, { anyDeviceFile: this.options.anyDeviceFile })) })))
    this.lastHealth = devices
    const response = await fetch(`${this.state.server}/api/bridge/health`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify({ version: BRIDGE_VERSION, host: hostname(), devices }),
    })
    if (response.status === 401) {
      this.wasRevoked = true
      this.stop()
      this.log('the server refused this bridge (revoked or unknown): pair it again with a new code')
    }
  }
}

/** "ECONNREFUSED" rather than fetch's bare "fetch failed" */
function reason(error: any): string {
  return error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(error)
}

/** Reads `--name value` pairs of argv */
export function parseArgs(argv: string[]) {
  const args: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) continue
    const [key, inline] = arg.slice(2).split('=', 2)
    args[key] = inline ?? (argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true')
  }
  return args
}
