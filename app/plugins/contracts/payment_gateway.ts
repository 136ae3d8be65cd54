/*
| The payment-gateway extension point. Cash stays in the core. A gateway offers methods (shown as
| tenders on the till), starts a payment for an amount under an idempotency key, reports its
| state, and can cancel and refund. Card numbers never reach the server: references only.
*/

export type GatewayPaymentState = 'pending' | 'approved' | 'declined' | 'cancelled' | 'timed_out'

export interface GatewayMethod {
  /** Unique across gateways, e.g. 'manual_card', 'terminal_card' */
  id: string
  label: string
  /** Keyboard shortcut on the till, e.g. 'F7' */
  key?: string
  /** The cashier confirms the approval and types the approval code (standalone card machine) */
  needsApprovalCode?: boolean
}

export interface StartPaymentRequest {
  method: string
  amount: number
  currency: string
  /** The same key must never charge twice, whatever the network did */
  idempotencyKey: string
  saleId: number
  storeId: number
  registerId: number
  approvalCode?: string | null
}

export interface GatewayPaymentStatus {
  state: GatewayPaymentState
  /** The gateway's own reference (transaction id), a card token, an approval code: never a card number */
  reference?: string | null
  /** A message for the cashier, e.g. "Present card" or "Declined: insufficient funds" */
  message?: string | null
}

export interface GatewayRefundRequest {
  reference: string
  amount: number
  currency: string
  idempotencyKey: string
}

export interface PaymentGateway {
  readonly id: string
  methods(): GatewayMethod[]
  start(request: StartPaymentRequest): Promise<GatewayPaymentStatus>
  status(idempotencyKey: string): Promise<GatewayPaymentStatus>
  cancel(idempotencyKey: string): Promise<GatewayPaymentStatus>
  refund(request: GatewayRefundRequest): Promise<GatewayPaymentStatus>
}
