import { Socket } from 'node:net'
import { open, access, constants } from 'node:fs/promises'
import { isDeviceFile } from '#core/device_file'

/*
| Moving bytes to a device, on the till's computer (the bridge runs this, not the server).
|
| Raw TCP (port 9100): connect, ask the printer for its status (DLE EOT 1 and DLE EOT 4, which
| ESC/POS printers answer at once even while busy), refuse to print when it reports paper out
| or offline, write the job, then ask again and wait for the answer: a printer that answered
| has read everything before it. Every step has a time limit, so a printer that accepts the
| connection and never reads fails the job with a clear error instead of hanging the bridge.
|
| Device file (USB printer class /dev/usb/lp0, serial /dev/ttyUSB0, a Windows port): written
| with a time limit too. Serial line settings are the operating system's (stty).
*/

export interface DeviceTarget {
  id: number
  name?: string
  transport: 'tcp' | 'file'
  host?: string | null
  port?: number | null
  path?: string | null
}

export class DeviceError extends Error {
  /** Retrying cannot help (a job for a device of an unknown kind, a bad address) */
  constructor(
    message: string,
    public permanent = false
  ) {
    super(message)
  }
}

export interface TransportOptions {
  connectTimeoutMs?: number
  /** How long the printer may take to answer a status request, or to read the job */
  replyTimeoutMs?: number
  /** Ask the printer for its status before and after (ESC/POS printers answer DLE EOT) */
  statusCheck?: boolean
  /** Write to any file a device names, not only printers' and serial lines' (the bridge's --any-device-file) */
  anyDeviceFile?: boolean
}

/** A device file the bridge may not write to (core/device_file.ts), unless its own operator said so */
function refusedPath(target: DeviceTarget, options: TransportOptions) {
  if (options.anyDeviceFile || isDeviceFile(target.path!)) return null
  return `The device ${where(target)} is not a printer or a serial line: this bridge writes only to those (or start it with --any-device-file)`
}

const STATUS_QUERY = Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x04])
const ACK_QUERY = Buffer.from([0x10, 0x04, 0x01])

function where(target: DeviceTarget) {
  return `${target.name ? target.name + ' at ' : ''}${target.transport === 'tcp' ? `${target.host}:${target.port ?? 9100}` : target.path}`
}

/** Reads the printer's answers one byte at a time, each with a deadline */
class TcpSession {
  private buffered: number[] = []
  private waiting: ((byte: number | null) => void) | null = null
  private closedError: Error | null = null

  constructor(public socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffered.push(...chunk)
      this.flush()
    })
    const closed = (error?: Error) => {
      this.closedError ??= error ?? new Error('closed')
      this.flush()
    }
    socket.on('error', closed)
    socket.on('close', () => closed())
  }

  private flush() {
    if (!this.waiting) return
    if (this.buffered.length) {
      const resolve = this.waiting
      this.waiting = null
      resolve(this.buffered.shift()!)
    } else if (this.closedError) {
      const resolve = this.waiting
      this.waiting = null
      resolve(null)
    }
  }

  read(timeoutMs: number): Promise<number | 'timeout' | 'closed'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null
        resolve('timeout')
      }, timeoutMs)
      this.waiting = (byte) => {
        clearTimeout(timer)
        resolve(byte === null ? 'closed' : byte)
      }
      this.flush()
    })
  }

  write(data: Uint8Array, timeoutMs: number): Promise<'ok' | 'timeout'> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs)
      this.socket.write(data, (error) => {
        clearTimeout(timer)
        if (error) reject(error)
        else resolve('ok')
      })
    })
  }
}

function connect(host: string, port: number, timeoutMs: number, label: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new DeviceError(`The printer ${label} did not accept a connection within ${timeoutMs / 1000} s (switched off, unplugged or a wrong address?)`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (error: any) => {
      clearTimeout(timer)
      socket.destroy()
      const reason = error?.code === 'ECONNREFUSED' ? 'refused the connection' : error?.code === 'EHOSTUNREACH' ? 'is unreachable' : `could not be reached (${error?.code ?? error?.message})`
      reject(new DeviceError(`The printer ${label} ${reason}: is it switched on and on the network?`))
    })
    socket.connect(port, host)
  })
}

async function status(session: TcpSession, label: string, timeoutMs: number) {
  await session.write(STATUS_QUERY, timeoutMs)
  const printer = await session.read(timeoutMs)
  const paper = printer === 'timeout' || printer === 'closed' ? printer : await session.read(timeoutMs)
  if (printer === 'timeout' || paper === 'timeout') {
    throw new DeviceError(`The printer ${label} accepted the connection but did not answer within ${timeoutMs / 1000} s (busy, jammed, or not an ESC/POS printer)`)
  }
  if (printer === 'closed' || paper === 'closed') throw new DeviceError(`The printer ${label} closed the connection`)
  if ((paper & 0x60) === 0x60) throw new DeviceError(`The printer ${label} is out of paper`)
  if (printer & 0x08) throw new DeviceError(`The printer ${label} is offline (cover open or an error)`)
}

export async function sendTcp(target: DeviceTarget, data: Uint8Array, options: TransportOptions = {}) {
  const label = where(target)
  if (!target.host) throw new DeviceError(`The printer ${label} has no host address`, true)
  const replyTimeout = options.replyTimeoutMs ?? 5000
  const socket = await connect(target.host, target.port ?? 9100, options.connectTimeoutMs ?? 3000, label)
  const session = new TcpSession(socket)
  try {
    if (options.statusCheck !== false) await status(session, label, replyTimeout)
    if ((await session.write(data, replyTimeout)) === 'timeout') {
      throw new DeviceError(`The printer ${label} stopped reading: the job was not sent within ${replyTimeout / 1000} s`)
    }
    if (options.statusCheck !== false) {
      await session.write(ACK_QUERY, replyTimeout)
      const answer = await session.read(replyTimeout)
      if (answer === 'timeout') throw new DeviceError(`The printer ${label} did not confirm the job within ${replyTimeout / 1000} s`)
      if (answer === 'closed') throw new DeviceError(`The printer ${label} closed the connection before confirming the job`)
    }
    await new Promise<void>((resolve) => socket.end(resolve))
  } finally {
    socket.destroy()
  }
}

export async function sendFile(target: DeviceTarget, data: Uint8Array, options: TransportOptions = {}) {
  const label = where(target)
  if (!target.path) throw new DeviceError(`The device ${label} has no path`, true)
  const refused = refusedPath(target, options)
  if (refused) throw new DeviceError(refused, true)
  const timeoutMs = options.replyTimeoutMs ?? 5000
  let handle: Awaited<ReturnType<typeof open>> | null = null
  const work = (async () => {
    try {
      // never created: an unplugged /dev/usb/lp0 must fail, not become a plain file that "printed"
      handle = await open(target.path!, constants.O_WRONLY | constants.O_APPEND)
    } catch (error: any) {
      throw new DeviceError(`The device ${label} cannot be opened (${error?.code ?? error?.message}): is it plugged in, and may the bridge's user write to it?`)
    }
    await handle.write(data)
    await handle.close()
    handle = null
  })()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeviceError(`The device ${label} did not take the job within ${timeoutMs / 1000} s`)), timeoutMs)
  })
  try {
    await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
    if (handle) (handle as any).close().catch(() => {})
  }
}

export async function send(target: DeviceTarget, data: Uint8Array, options: TransportOptions = {}) {
  if (target.transport === 'tcp') return sendTcp(target, data, options)
  if (target.transport === 'file') return sendFile(target, data, options)
  throw new DeviceError(`Device #${target.id} has a transport this bridge does not know (${(target as any).transport})`, true)
}

/** For the health report: can the device be reached right now, and is there paper? */
export async function probe(target: DeviceTarget, options: TransportOptions = {}): Promise<{ ok: boolean; message: string }> {
  try {
    if (target.transport === 'file') {
      if (!target.path) return { ok: false, message: 'No path set' }
      const refused = refusedPath(target, options)
      if (refused) return { ok: false, message: refused }
      await access(target.path, constants.W_OK)
      return { ok: true, message: 'Ready' }
    }
    if (target.transport !== 'tcp' || !target.host) return { ok: false, message: 'No address set' }
    const label = where(target)
    const socket = await connect(target.host, target.port ?? 9100, options.connectTimeoutMs ?? 2000, label)
    const session = new TcpSession(socket)
    try {
      if (options.statusCheck !== false) await status(session, label, options.replyTimeoutMs ?? 2000)
    } finally {
      socket.destroy()
    }
    return { ok: true, message: 'Ready' }
  } catch (error: any) {
    return { ok: false, message: error?.message ?? String(error) }
  }
}
