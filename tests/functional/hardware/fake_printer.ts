import { createServer, type Server, type Socket } from 'node:net'
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder'
import CodepageEncoder from '@point-of-sale/codepage-encoder'

/*
| A receipt printer on a real TCP port, for tests. It decodes the ESC/POS it receives into what
| would be on the paper: text lines (through the code page selected with ESC t), QR codes and
| barcodes, the cuts and the drawer-kick pulses, and answers status requests (DLE EOT) the way
| a printer does. Modes: 'ok'; 'paper_out' (answers that the paper ran out); 'silent'
| (accepts the connection and never reads); 'hold' (reads, answers nothing).
*/

export type FakeMode = 'ok' | 'paper_out' | 'silent' | 'hold'

export interface Printed {
  lines: string[]
  codes: string[]
  cut: boolean
}

/** ESC t n -> code page, read from the encoder's own table (the epson mapping) */
function codepageTable(): Map<number, string> {
  const table = new Map<number, string>()
  for (const name of CodepageEncoder.getEncodings()) {
    try {
      const bytes = new ReceiptPrinterEncoder({ language: 'esc-pos', codepageMapping: 'epson' }).codepage(name as any).text('x').encode()
      for (let i = 0; i < bytes.length - 2; i++) if (bytes[i] === 0x1b && bytes[i + 1] === 0x74) table.set(bytes[i + 2], name)
    } catch {}
  }
  return table
}

export class FakePrinter {
  mode: FakeMode = 'ok'
  /** Every document that ended with a cut, in order */
  printed: Printed[] = []
  pulses: { pin: 2 | 5; onMs: number; offMs: number }[] = []
  connections = 0
  private server: Server | null = null
  private sockets = new Set<Socket>()
  private table = codepageTable()

  constructor(public port: number) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server = createServer((socket) => this.accept(socket))
      this.server.once('error', reject)
      this.server.listen(this.port, '127.0.0.1', () => resolve())
    })
  }

  /** Stops listening and drops open connections: the printer is "off" */
  async stop() {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
    this.server = null
  }

  /** The text of every printed document, one string per document (runs of spaces collapsed) */
  texts() {
    return this.printed.map((p) => p.lines.map((l) => l.replace(/\s+/g, ' ').trim()).join('\n'))
  }

  private accept(socket: Socket) {
    this.connections++
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    if (this.mode === 'silent') {
      socket.pause()
      return
    }
    let buffer = Buffer.alloc(0)
    const state = { codepage: 'cp437', line: [] as string[], doc: { lines: [], codes: [], cut: false } as Printed }
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      const used = this.parse(buffer, state, socket)
      buffer = buffer.subarray(used)
    })
  }

  /** Parses complete commands; returns how many bytes it consumed (the rest waits for more) */
  private parse(b: Buffer, s: { codepage: string; line: string[]; doc: Printed }, socket: Socket): number {
    let i = 0
    const need = (n: number) => i + n <= b.length
    const endLine = () => {
      s.doc.lines.push(s.line.join(''))
      s.line = []
    }
    while (i < b.length) {
      const c = b[i]
      if (c === 0x0a) {
        endLine()
        i++
      } else if (c === 0x0d) {
        i++
      } else if (c === 0x10) {
        // DLE EOT n: real-time status
        if (!need(3)) return i
        const n = b[i + 2]
        i += 3
        if (this.mode === 'ok') socket.write(Buffer.from([0x12]))
        else if (this.mode === 'paper_out') socket.write(Buffer.from([n === 4 ? 0x72 : 0x12]))
      } else if (c === 0x1b) {
        if (!need(2)) return i
        const op = b[i + 1]
        if (op === 0x40 || op === 0x32) i += 2 // ESC @ init, ESC 2 line spacing
        else if (op === 0x74) {
          if (!need(3)) return i
          s.codepage = this.table.get(b[i + 2]) ?? 'cp437'
          i += 3
        } else if (op === 0x70) {
          // ESC p m t1 t2: drawer kick
          if (!need(5)) return i
          this.pulses.push({ pin: b[i + 2] === 1 ? 5 : 2, onMs: b[i + 3] * 2, offMs: b[i + 4] * 2 })
          i += 5
        } else if (op === 0x2a) {
          // ESC * m nL nH data: a column image
          if (!need(5)) return i
          const columns = b[i + 3] + b[i + 4] * 256
          const size = 5 + columns * (b[i + 2] >= 32 ? 3 : 1)
          if (!need(size)) return i
          i += size
        } else if ([0x21, 0x45, 0x2d, 0x61, 0x4d, 0x33, 0x4a, 0x64, 0x47, 0x34, 0x56, 0x7b, 0x52].includes(op)) {
          if (!need(3)) return i
          i += 3
        } else throw new Error(`fake printer: unknown command ESC 0x${op.toString(16)}`)
      } else if (c === 0x1c) {
        if (!need(2)) return i
        i += 2 // FS . and friends (Kanji off)
      } else if (c === 0x1d) {
        if (!need(2)) return i
        const op = b[i + 1]
        if (op === 0x56) {
          // GS V m [n]: cut
          if (!need(3)) return i
          const size = b[i + 2] >= 65 ? 4 : 3
          if (!need(size)) return i
          if (s.line.length) endLine()
          s.doc.cut = true
          this.printed.push(s.doc)
          s.doc = { lines: [], codes: [], cut: false }
          i += size
        } else if (op === 0x28) {
          // GS ( k pL pH cn fn ...: 2D codes; fn 80 stores the data
          if (!need(5)) return i
          const length = b[i + 3] + b[i + 4] * 256
          if (!need(5 + length)) return i
          if (b[i + 2] === 0x6b && b[i + 6] === 80) s.doc.codes.push(b.subarray(i + 8, i + 5 + length).toString('latin1'))
          i += 5 + length
        } else if (op === 0x6b) {
          // GS k m n data: a barcode
          if (!need(4)) return i
          const length = b[i + 3]
          if (!need(4 + length)) return i
          s.doc.codes.push(b.subarray(i + 4, i + 4 + length).toString('latin1').replace(/^\{B/, ''))
          i += 4 + length
        } else if (op === 0x76) {
          // GS v 0 m xL xH yL yH data: a raster image
          if (!need(8)) return i
          const size = 8 + (b[i + 4] + b[i + 5] * 256) * (b[i + 6] + b[i + 7] * 256)
          if (!need(size)) return i
          i += size
        } else if ([0x21, 0x42, 0x48, 0x66, 0x68, 0x77, 0x62].includes(op)) {
          if (!need(3)) return i
          i += 3
        } else if (op === 0x4c || op === 0x57) {
          if (!need(4)) return i
          i += 4
        } else throw new Error(`fake printer: unknown command GS 0x${op.toString(16)}`)
      } else {
        const codepoint = c < 0x80 ? c : CodepageEncoder.getEncoding(s.codepage as any).codepoints[c]
        s.line.push(String.fromCodePoint(codepoint ?? 0x3f))
        i++
      }
    }
    return i
  }
}

/** Waits until check() passes, polling; fails with the message after the timeout */
export async function eventually<T>(check: () => Promise<T | false | null | undefined> | T | false | null | undefined, message: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as T
    if (Date.now() > deadline) throw new Error(`Timed out: ${message}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
