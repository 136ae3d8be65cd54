/*
| The tenders a sale can be paid with. Cash stays in the core; "card (external terminal)" is a
| standalone card machine whose approval the cashier confirms. Payment-gateway plugins will
| add their methods to this list.
*/

import { pluginRegistry } from '#plugins/registry'

export interface PaymentMethod {
  id: string
  label: string
  isCash: boolean
  /** Keyboard shortcut on the till */
  key: string
}

const CORE_METHODS: PaymentMethod[] = [
  { id: 'cash', label: 'Cash', isCash: true, key: 'F6' },
  { id: 'card_external', label: 'Card (external terminal)', isCash: false, key: 'F7' },
]

/** The tender of an enabled loyalty program: its points pay for the sale (see CheckoutService) */
export const LOYALTY_METHOD: PaymentMethod = { id: 'loyalty_points', label: 'Points', isCash: false, key: 'F3' }

export function paymentMethods(): PaymentMethod[] {
  return pluginRegistry.loyaltyProgram() ? [...CORE_METHODS, LOYALTY_METHOD] : CORE_METHODS
}

export function paymentMethod(id: string): PaymentMethod | undefined {
  return paymentMethods().find((m) => m.id === id)
}

export function paymentMethodLabel(id: string): string {
  return paymentMethod(id)?.label ?? id
}
