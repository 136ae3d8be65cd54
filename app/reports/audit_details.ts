import { formatMoney } from '#core/money'

/*
| An audit entry's data as people read it: key: value pairs, amounts as money of the store's
| currency. Entries hold amounts as every table does, in integer minor units ({"total":1234}), and
| nothing in the data says which numbers are amounts: a sale's `number`, a line's `quantity`, a
| discount's share in basis points (`shareBp`) or an id look the same. So which keys are money is
| said here, per action, for every writer of the audit log (grep recordAudit / auditStatement).
| The rows already written keep their shape: a writer that wrote amounts differently is read
| here as it wrote them (a refund's `tenders` as "method:amount" texts), never rewritten.
*/

/** How a key's value is read: 'money', every number in it (price: {from, to}); 'tenders', "method:amount" texts */
type Reading = 'money' | 'tenders'
type Readings = Record<string, Reading>

/** A discount's value is an amount when its type is 'amount'; a 'percent' one is basis points */
const discountValue = (data: Record<string, unknown>): Readings => (data.type === 'amount' ? { value: 'money' } : {})

/** The money keys of each action that has any; an action not named here holds no amount */
const AMOUNTS: Record<string, Readings | ((data: Record<string, unknown>) => Readings)> = {
  // sales (sale_completion.ts, offline_sync_service.ts; cart_service.ts; payment_service.ts; gateway_payment_service.ts)
  sale_completed: { total: 'money' },
  cart_voided: { total: 'money' },
  payment_taken: { amount: 'money' },
  payment_removed: { amount: 'money' },
  gateway_payment_started: { amount: 'money' },
  gateway_payment_declined: { amount: 'money' },
  gateway_payment_cancelled: { amount: 'money' },
  gateway_payment_timed_out: { amount: 'money' },
  // the unit price before and after
  price_override: { from: 'money', to: 'money' },
  // shareBp and limitBp are shares of the sale in basis points
  discount_approved: { amount: 'money' },
  line_discount: discountValue,
  cart_discount: discountValue,
  // returns (refund_service.ts, no_receipt_refund_service.ts, void_service.ts); a refund's damaged lines are quantities
  refund: { total: 'money', tenders: 'tenders' },
  refund_without_receipt: { total: 'money' },
  sale_voided: { total: 'money' },
  // shifts (shift_service.ts): the float, cash in and out (a no-sale opening's is 0), the Z report's cash
  shift_opened: { float: 'money' },
  shift_cash_in: { amount: 'money' },
  shift_cash_out: { amount: 'money' },
  shift_no_sale: { amount: 'money' },
  shift_closed: { expected: 'money', counted: 'money', difference: 'money' },
  // inventory (product_update.ts): price and cost {from, to}; its stock {from, to} is a count
  product_updated: { price: 'money', cost: 'money' },
}

export interface AuditDetail {
  key: string
  value: string
}

/** The entry's data as key: value pairs in the order written, amounts formatted in the currency */
export function auditDetails(action: string, data: Record<string, unknown> | null, currency: string): AuditDetail[] {
  if (!data || typeof data !== 'object') return []
  const rule = AMOUNTS[action]
  const readings = typeof rule === 'function' ? rule(data) : (rule ?? {})
  return Object.entries(data).map(([key, value]) => ({ key, value: shown(value, Object.hasOwn(readings, key) ? readings[key] : null, currency) }))
}

/** The same pairs on one line, for the CSV */
export function auditDetailsText(action: string, data: Record<string, unknown> | null, currency: string): string {
  return auditDetails(action, data, currency)
    .map((detail) => `${detail.key}: ${detail.value}`)
    .join('; ')
}

function shown(value: unknown, reading: Reading | null, currency: string): string {
  if (value === null || value === undefined) return 'none'
  if (typeof value === 'number') return reading === 'money' && Number.isSafeInteger(value) ? formatMoney(value, currency) : String(value)
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'string') return reading === 'tenders' ? tender(value, currency) : value
  if (Array.isArray(value)) return `[${value.map((item) => shown(item, reading, currency)).join(', ')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    // A change, old and new: product_updated's {from, to} of each field
    if (entries.length === 2 && Object.hasOwn(value, 'from') && Object.hasOwn(value, 'to')) {
      const { from, to } = value as { from: unknown; to: unknown }
      return `${shown(from, reading, currency)} → ${shown(to, reading, currency)}`
    }
    return `{${entries.map(([key, inner]) => `${key}: ${shown(inner, reading, currency)}`).join(', ')}}`
  }
  return String(value)
}

/** "cash:1234" -> "cash $12.34"; any other text as it is */
function tender(text: string, currency: string): string {
  const match = /^(.*):(-?\d+)$/.exec(text)
  if (!match || !Number.isSafeInteger(Number(match[2]))) return text
  return `${match[1]} ${formatMoney(Number(match[2]), currency)}`
}
