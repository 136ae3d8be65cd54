import { definePlugin } from '#plugins/contracts/plugin'
import type { GatewayPaymentStatus, StartPaymentRequest } from '#plugins/contracts/payment_gateway'

/*
| An integrated card terminal over HTTP. Every payment carries the POS's idempotency key, so
| the terminal never charges twice for one key. When the connection drops before the answer,
| the plugin asks the terminal for the state of that key instead of sending the payment again
| blind; when the terminal never saw the key, it sends the same request again (same key).
*/
export default definePlugin({
  setup(host, { settings }) {
    const base = String(settings.url).replace(/\/+$/, '')
    const timeout = Number(settings.timeout_ms ?? 2000)
    const requests = new Map<string, StartPaymentRequest>()

    async function call(method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; data: any }> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(settings.api_key ? { authorization: `Bearer ${settings.api_key}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeout),
      })
      const data = await response.json().catch(() => ({}))
      return { status: response.status, data }
    }

    const answer = (data: any): GatewayPaymentStatus => ({
      state: data.state,
      reference: data.reference ?? null,
      message: data.message ?? null,
    })

    async function send(request: StartPaymentRequest) {
      const { status, data } = await call('POST', '/payments', { key: request.idempotencyKey, amount: request.amount, currency: request.currency })
      if (status >= 400) throw new Error(data.message ?? `the terminal answered ${status}`)
      return answer(data)
    }

    async function stateOf(key: string): Promise<GatewayPaymentStatus> {
      const { status, data } = await call('GET', `/payments/${encodeURIComponent(key)}`)
      if (status === 404) {
        // The terminal never got it: send the same request again, under the same key
        const request = requests.get(key)
        if (!request) return { state: 'cancelled', message: 'The terminal never received this payment' }
        return send(request)
      }
      if (status >= 400) throw new Error(data.message ?? `the terminal answered ${status}`)
      return answer(data)
    }

    host.paymentGateway({
      id: 'terminal-sim',
      methods: () => [{ id: 'terminal_card', label: String(settings.label || 'Card (terminal)'), key: 'F5' }],
      async start(request) {
        requests.set(request.idempotencyKey, request)
        try {
          return await send(request)
        } catch (error) {
          // The answer was lost (connection cut, timeout): ask for the state of this key, never pay again blind
          return stateOf(request.idempotencyKey)
        }
      },
      status: (key) => stateOf(key),
      async cancel(key) {
        const { status, data } = await call('POST', `/payments/${encodeURIComponent(key)}/cancel`)
        if (status >= 400) throw new Error(data.message ?? `the terminal answered ${status}`)
        return answer(data)
      },
      async refund(request) {
        const { status, data } = await call('POST', '/refunds', { key: request.idempotencyKey, reference: request.reference, amount: request.amount })
        if (status >= 400) return { state: 'declined', message: data.message ?? `the terminal answered ${status}` }
        return answer(data)
      },
    })
  },
})
