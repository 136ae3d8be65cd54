/*
| The tenders a sale can be paid with. Cash stays in the core; "card (external terminal)" is a
| standalone card machine whose approval the cashier confirms. Enabled payment-gateway plugins
| add their methods (a gateway's payment starts pending and counts only once approved).
*/

import { pluginRegistry } from '#plugins/registry'

export interface PaymentMethod {
  id: string
  label: string
  isCash: boolean
  /** Keyboard shortcut on the till */
  key: string
  /** The gateway plugin that takes payments of this method */
  gatewayId?: string
  /** The cashier types the approval code the card machine printed */
  needsApprovalCode?: boolean
}

const CORE_METHODS: PaymentMethod[] = [
  { id: 'cash', label: 'Cash', isCash: true, key: 'F6' },
  { id: 'card_external', label: 'Card (external terminal)', isCash: false, key: 'F7' },
]

function gatewayMethods(): PaymentMethod[] {
  const methods: PaymentMethod[] = []
  const taken = new Set(CORE_METHODS.map((m) => m.id))
  for (const gateway of pluginRegistry.paymentGateways()) {
    for (const method of gateway.methods()) {
      // A method id is unique: the first gateway to offer it keeps it
      if (taken.has(method.id)) continue
      taken.add(method.id)
      methods.push({
        id: method.id,
        label: method.label,
        isCash: false,
        key: method.key ?? '',
        gatewayId: gateway.id,
        needsApprovalCode: !!method.needsApprovalCode,
      })
    }
  }
  return methods
}

/** The tender of an enabled loyalty program: its points pay for the sale (see CheckoutService) */
export const LOYALTY_METHOD: PaymentMethod = { id: 'loyalty_points', label: 'Points', isCash: false, key: 'F5' }

export function paymentMethods(): PaymentMethod[] {
  const methods = [...CORE_METHODS, ...gatewayMethods()]
  if (pluginRegistry.loyaltyProgram()) methods.push(LOYALTY_METHOD)
  // A shortcut opens one tender only: a method asking for a key already taken gets none
  const keys = new Set<string>()
  return methods.map((method) => {
    if (!method.key || !keys.has(method.key)) {
      keys.add(method.key)
      return method
    }
    return { ...method, key: '' }
  })
}

export function paymentMethod(id: string): PaymentMethod | undefined {
  return paymentMethods().find((m) => m.id === id)
}

export function paymentMethodLabel(id: string): string {
  // An exchange's credit: the returned goods paid for the new sale, no money changed hands
  if (id === 'exchange') return 'Exchange credit'
  return paymentMethod(id)?.label ?? id
}
