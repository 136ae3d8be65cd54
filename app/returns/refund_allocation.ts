import { formatMoney } from '#core/money'
import { paymentMethod } from '#sales/payment_methods'
import { refundMethods } from '#returns/refund_points'

/*
| Where a refund's money goes by default, and when sending it elsewhere needs a manager. One
| reckoning for the refund itself (refund_tenders.ts) and for the Returns form's hints, so the form
| says "needs a manager" exactly where the refund would ask for one (it said so on every method,
| cash back on a cash sale too).
*/

export interface TenderLeft {
  method: string
  /** What the sale took in this tender less what refunds gave back in it */
  left: number
}

type Amounts = { method: string; amount: number | string; status?: string }[]

/**
 * The sale's tenders with what each can still give back, in the order a refund takes them:
 * card (and every tender but cash) first, then cash from the drawer. A sale paid in part by an
 * exchange credit gives that part back in cash.
 */
export function tendersLeft(paid: Amounts, refunded: Amounts): TenderLeft[] {
  const back = new Map<string, number>()
  for (const row of refunded) back.set(row.method, (back.get(row.method) ?? 0) + Number(row.amount))
  const byMethod = new Map<string, number>()
  for (const row of paid) {
    const method = row.method === 'exchange' ? 'cash' : String(row.method)
    byMethod.set(method, (byMethod.get(method) ?? 0) + Number(row.amount))
  }
  return [...byMethod]
    .map(([method, amount]) => ({ method, left: amount - (back.get(method) ?? 0) }))
    .sort((a, b) => Number(paymentMethod(a.method)?.isCash ?? false) - Number(paymentMethod(b.method)?.isCash ?? false))
}

/** The money back per tender by default: each up to what it has left, in order; a rest goes to the first */
export function allocateRefund(available: TenderLeft[], total: number): { method: string; amount: number }[] {
  const allocation: { method: string; amount: number }[] = []
  let remaining = total
  for (const tender of available) {
    const amount = Math.min(remaining, Math.max(0, tender.left))
    if (amount > 0) allocation.push({ method: tender.method, amount })
    remaining -= amount
  }
  if (remaining > 0) {
    const first = allocation[0] ?? { method: available[0]?.method ?? 'cash', amount: 0 }
    if (!allocation.length) allocation.push(first)
    first.amount += remaining
  }
  return allocation
}

/** A refund sent to `method` needs a manager unless the default would pay all of it in `method` */
export function needsManager(allocation: { method: string }[], method: string) {
  return !allocation.every((tender) => tender.method === method)
}

/**
 * When a refund of this sale sent to `method` needs a manager: never, always, or once it is more
 * than `above` (the method pays back first, up to what it has left, then another tender would)
 */
export function managerNeed(available: TenderLeft[], method: string): 'never' | 'always' | { above: number } {
  const needs = (total: number) => needsManager(allocateRefund(available, total), method)
  if (needs(1)) return 'always'
  const first = available.find((tender) => tender.left > 0)
  if (!first || !needs(first.left + 1)) return 'never'
  return { above: first.left }
}

/** The Returns form's other tenders for a sale, each with when it needs a manager ("" when it never does) */
export function refundChoices(sale: { customer: { isErased: boolean } | null; payments: Amounts; refunds: { payments: Amounts }[] }, currency: string) {
  const paid = sale.payments.filter((payment) => payment.status === 'approved')
  const available = tendersLeft(paid, sale.refunds.flatMap((refund) => refund.payments))
  return refundMethods(sale.customer).map((method) => {
    const need = managerNeed(available, method.id)
    const hint = need === 'never' ? '' : need === 'always' ? 'needs a manager' : `needs a manager above ${formatMoney(need.above, currency)}`
    return { ...method, hint }
  })
}
