import { formatMoney } from '#core/money'
import { paymentMethod } from '#sales/payment_methods'
import { refundMethods } from '#returns/refund_points'

/*
| Where a refund's money goes by default, and when it needs a manager: sent to another tender, or
| paying in cash goods that came in an exchange of a sale not paid in cash. One reckoning for the
| refund itself (refund_tenders.ts) and for the Returns form's hints, so the form says "needs a
| manager" exactly where the refund would ask for one (it said so on every method, cash back on a
| cash sale too; and it offered cash for exchanged card goods to a cashier the refund then refused).
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

/** What the sale took in real cash and refunds have not given back (exchange credit is not cash) */
export function realCashLeft(paid: Amounts, refunded: Amounts) {
  const sum = (rows: Amounts) => rows.filter((row) => row.method === 'cash').reduce((total, row) => total + Number(row.amount), 0)
  return Math.max(0, sum(paid) - sum(refunded))
}

/** The cash of a refund beyond the real cash left: goods exchanged in, given back as cash */
export function creditAsCash(allocation: { method: string; amount: number }[], cashLeft: number) {
  const cash = allocation.find((tender) => tender.method === 'cash')
  return cash ? cash.amount - cashLeft : 0
}

/**
 * Whether the exchange credit a sale was paid with came from a sale not paid in cash alone, so that
 * giving it back in cash needs a manager (the exchange would turn card money into cash)
 */
export interface CreditRule {
  cashLeft: number
  creditNeedsManager: boolean
}

/** Whether a refund paying `allocation` by default, or sent to `method`, needs a manager (refund_tenders.ts asks the same) */
export function refundNeedsManager(allocation: { method: string; amount: number }[], method: string | null, credit: CreditRule) {
  if (method && needsManager(allocation, method)) return true
  return credit.creditNeedsManager && creditAsCash(allocation, credit.cashLeft) > 0
}

/**
 * When a refund of this sale sent to `method` (null: the original tenders) needs a manager: never,
 * always, or once it is more than `above`. A refund needs one from some amount on and for every
 * larger one (each tender pays up to what it has left, in order), so the amount is searched for.
 */
export function managerNeed(available: TenderLeft[], method: string | null, credit: CreditRule): 'never' | 'always' | { above: number } {
  const needs = (total: number) => refundNeedsManager(allocateRefund(available, total), method, credit)
  if (needs(1)) return 'always'
  const most = available.reduce((sum, tender) => sum + Math.max(0, tender.left), 0)
  if (!needs(most)) return 'never'
  let [fine, needed] = [1, most]
  while (needed - fine > 1) {
    const middle = Math.floor((fine + needed) / 2)
    if (needs(middle)) needed = middle
    else fine = middle
  }
  return { above: fine }
}

type SaleOfForm = { customer: { isErased: boolean } | null; payments: Amounts; refunds: { payments: Amounts }[] }

/**
 * The Returns form's choices for a sale: the hint beside the original tenders, and the other
 * tenders each with theirs ("" when it never needs a manager). `creditWasCash`: whether every sale
 * whose goods were exchanged into this one was paid in cash only (refund_tenders.ts)
 */
export function refundChoices(sale: SaleOfForm, currency: string, creditWasCash: boolean) {
  const paid = sale.payments.filter((payment) => payment.status === 'approved')
  const refunded = sale.refunds.flatMap((refund) => refund.payments)
  const available = tendersLeft(paid, refunded)
  const credit = { cashLeft: realCashLeft(paid, refunded), creditNeedsManager: !creditWasCash && paid.some((payment) => payment.method === 'exchange') }
  const hintOf = (method: string | null) => {
    const need = managerNeed(available, method, credit)
    return need === 'never' ? '' : need === 'always' ? 'needs a manager' : `needs a manager above ${formatMoney(need.above, currency)}`
  }
  return { originalHint: hintOf(null), methods: refundMethods(sale.customer).map((method) => ({ ...method, hint: hintOf(method.id) })) }
}
