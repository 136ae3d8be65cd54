import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'

/*
| A card terminal simulator for the terminal-sim plugin, over HTTP (`node ace terminal:sim`).
| Payments are kept by idempotency key: the same key never makes a second payment. Its control
| API tells it how the next payments end, so tests and demos can play every case:
|   POST /control {mode: approve|decline|timeout|silent, delayMs, dropNext}
|     approve|decline|timeout  the payment is pending ("present card") for delayMs, then ends so
|     silent                   payment requests get no answer at all (the control API still does)
|     dropNext                 the next new payment is taken, then the connection is cut before
|                              the answer (the network dropping mid-request)
|     settle: approve|decline|timeout  ends every pending payment now
|   GET /control               the mode and every payment (to check nothing was charged twice)
| Terminal API (what the plugin calls):
|   POST /payments {key, amount, currency}  ->  {state, reference, message}
|   GET  /payments/:key                     ->  the same, or 404 {state: 'unknown'}
|   POST /payments/:key/cancel              ->  cancels a pending payment (an unknown key is
|                                               recorded as cancelled, so a late start cannot charge)
|   POST /refunds {key, reference, amount}  ->  {state: 'approved', reference}
| Card numbers never leave it: it answers references only.
*/

export type SimMode = 'approve' | 'decline' | 'timeout' | 'silent'

interface SimPayment {
  key: string
  amount: number
  currency: string
  state: 'pending' | 'approved' | 'declined' | 'cancelled' | 'timed_out'
  reference: string | null
  message: string
  /** How many POST /payments arrived with this key (retries included) */
  requests: number
}

export interface TerminalSimulator {
  server: Server
  port: number
  close(): Promise<void>
}

export async function startTerminalSimulator(port: number, host = '127.0.0.1'): Promise<TerminalSimulator> {
  let mode: SimMode = 'approve'
  let delayMs = 2000
  let dropNext = false
  let sequence = 0
  const payments = new Map<string, SimPayment>()
  const refunds = new Map<string, { key: string; reference: string; amount: number }>()
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()

  const view = (p: SimPayment) => ({ state: p.state, reference: p.reference, message: p.message, amount: p.amount })

  const settle = (payment: SimPayment, outcome: Exclude<SimMode, 'silent'>) => {
    if (payment.state !== 'pending') return
    if (outcome === 'approve') {
      payment.state = 'approved'
      payment.reference = `SIM-${String(++sequence).padStart(6, '0')}`
      payment.message = 'Approved'
    } else if (outcome === 'decline') {
      payment.state = 'declined'
      payment.message = 'Insufficient funds'
    } else {
      payment.state = 'timed_out'
      payment.message = 'No card was presented'
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://terminal')
    const body = await readJson(req)
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(data))
    }

    if (url.pathname === '/control') {
      if (req.method === 'POST') {
        if (['approve', 'decline', 'timeout', 'silent'].includes(body.mode)) mode = body.mode
        if (Number.isInteger(body.delayMs) && body.delayMs >= 0) delayMs = body.delayMs
        if (typeof body.dropNext === 'boolean') dropNext = body.dropNext
        // Ends every pending payment now (the customer presents the card)
        if (['approve', 'decline', 'timeout'].includes(body.settle)) for (const payment of payments.values()) settle(payment, body.settle)
      }
      return send(200, { mode, delayMs, dropNext, payments: [...payments.values()], refunds: [...refunds.values()] })
    }

    // A silent terminal takes the request and never answers
    if (mode === 'silent') return

    const match = url.pathname.match(/^\/payments\/([\w-]{1,64})(\/cancel)?$/)
    if (req.method === 'POST' && url.pathname === '/payments') {
      const key = String(body.key ?? '')
      if (!/^[\w-]{1,64}$/.test(key) || !Number.isSafeInteger(body.amount) || body.amount <= 0) {
        return send(422, { message: 'key and a positive integer amount are required' })
      }
      let payment = payments.get(key)
      if (payment) {
        payment.requests++
        return send(200, view(payment))
      }
      payment = { key, amount: body.amount, currency: String(body.currency ?? ''), state: 'pending', reference: null, message: 'Present card', requests: 1 }
      payments.set(key, payment)
      const outcome = mode
      if (delayMs === 0) settle(payment, outcome)
      else {
        const timer = setTimeout(() => {
          timers.delete(timer)
          settle(payment!, outcome)
        }, delayMs)
        timers.add(timer)
      }
      if (dropNext) {
        dropNext = false
        // Taken, but the answer is lost on the way back
        req.socket.destroy()
        return
      }
      return send(201, view(payment))
    }
    if (req.method === 'GET' && match && !match[2]) {
      const payment = payments.get(match[1])
      return payment ? send(200, view(payment)) : send(404, { state: 'unknown', message: 'No payment with this key' })
    }
    if (req.method === 'POST' && match && match[2]) {
      let payment = payments.get(match[1])
      if (!payment) {
        payment = { key: match[1], amount: 0, currency: '', state: 'cancelled', reference: null, message: 'Cancelled before it started', requests: 0 }
        payments.set(match[1], payment)
      } else if (payment.state === 'pending') {
        payment.state = 'cancelled'
        payment.message = 'Cancelled'
      }
      return send(200, view(payment))
    }
    if (req.method === 'POST' && url.pathname === '/refunds') {
      const key = String(body.key ?? '')
      const original = [...payments.values()].find((p) => p.reference === body.reference && p.state === 'approved')
      if (!original || !Number.isSafeInteger(body.amount) || body.amount <= 0 || body.amount > original.amount) {
        return send(422, { state: 'declined', message: 'Unknown payment reference or amount' })
      }
      if (!refunds.has(key)) refunds.set(key, { key, reference: body.reference, amount: body.amount })
      return send(200, { state: 'approved', reference: `REF-${key.slice(0, 8)}`, message: 'Refunded' })
    }
    send(404, { message: 'Not found' })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })

  return {
    server,
    port,
    async close() {
      for (const timer of timers) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function readJson(req: IncomingMessage): Promise<any> {
  if (req.method === 'GET') return {}
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > 64 * 1024) return {}
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
  } catch {
    return {}
  }
}

