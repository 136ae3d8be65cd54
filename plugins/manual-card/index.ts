import { definePlugin } from '#plugins/contracts/plugin'
import type { GatewayPaymentStatus } from '#plugins/contracts/payment_gateway'

/*
| A standalone card machine: nothing to talk to. The payment is approved by the cashier, who
| confirms the machine's approval and types its approval code (kept as the reference). Card
| numbers never pass through the POS.
*/
export default definePlugin({
  setup(host, { settings }) {
    const payments = new Map<string, GatewayPaymentStatus>()

    host.paymentGateway({
      id: 'manual-card',
      methods: () => [{ id: 'manual_card', label: String(settings.label || 'Card machine'), key: 'F7', needsApprovalCode: true }],
      async start(request) {
        const known = payments.get(request.idempotencyKey)
        if (known) return known
        if (!request.approvalCode) return { state: 'declined', message: 'No approval code was typed' }
        const status: GatewayPaymentStatus = { state: 'approved', reference: request.approvalCode, message: 'Approved on the card machine' }
        payments.set(request.idempotencyKey, status)
        return status
      },
      async status(key) {
        return payments.get(key) ?? { state: 'cancelled', message: 'No approval was recorded: take the payment again' }
      },
      async cancel(key) {
        const known = payments.get(key)
        if (known?.state === 'approved') return known
        const status: GatewayPaymentStatus = { state: 'cancelled', message: 'Cancelled by the cashier' }
        payments.set(key, status)
        return status
      },
      async refund(request) {
        // The machine refunds on its own keypad; the POS records the reference it refunds
        return { state: 'approved', reference: `refund:${request.reference}`, message: 'Refund the card on the card machine' }
      },
    })
  },
})
