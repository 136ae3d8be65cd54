import type User from '#models/user'
import { DomainError } from '#exceptions/domain_error'
import { discountShareOf, discountsWithin, percentDiscountsOf, type DiscountedCart } from '#core/discount_share'

/*
| How far a cashier may discount on their own: the store's discount_limit, a share of the sale's
| amount before discounts, line and cart discounts together (20% off a line and 20% off the cart
| is 36% of that line). Beyond it a manager approves: a manager selling, or a manager's PIN given
| with the discount. A till cart keeps the share approved (sales.discount_approved_bp), so the
| cashier's later changes up to it need no second PIN.
| Only a change that raises the share past what is allowed is refused, whatever the change: a
| quantity lowered under a fixed discount raises it too (else a cashier could take $20 off ten
| items, approved as 20%, and sell one). A store that lowers its limit leaves open carts as they are.
| Amounts are compared, each percent discount allowed its half cent of rounding (core
| discountWithin), so exactly the limit is within it at any price.
| Offline, the till applies the same limit to a cashier's discounts and payments (no PIN can be
| checked there), and the server sends a sale over it to the manager's review list (offline_sale_rows.ts).
*/

/** 2000 -> "20%", 1250 -> "12.5%" */
export function percentText(bp: number) {
  return `${bp / 100}%`
}

/** A sale as the limit reads it: its discounts, and the share a manager approved on it */
export interface DiscountedSale extends DiscountedCart {
  discountApprovedBp?: number | null
}

/** A sale as the limit reads it, from the model or a new sale and its lines */
export function discountedSale(
  sale: { subtotal: number; discountTotal: number; cartDiscountType?: string | null; cartDiscountValue?: number; discountApprovedBp?: number | null },
  lines: { discountType: string | null; discountValue: number }[]
): DiscountedSale {
  const { subtotal, discountTotal, cartDiscountType, cartDiscountValue, discountApprovedBp } = sale
  return { subtotal, discountTotal, cartDiscountType, cartDiscountValue, discountApprovedBp, percentDiscounts: percentDiscountsOf(lines, { type: cartDiscountType, value: cartDiscountValue }) }
}

/**
 * Checks a sale's discounts after a change (`shareBefore`: its share before the change, 0 for a
 * new sale). Answers the share the change needed a manager for (the sale keeps it as approved), or
 * null when it needed none; refuses (403 manager_required on `field`) when no manager approves.
 */
export function approveDiscount(
  limitBp: number,
  sale: DiscountedSale,
  shareBefore: number,
  approver: User | null,
  field: string,
  remedy = 'Enter a manager\u2019s PIN, or lower the discount.'
): number | null {
  const share = discountShareOf(sale)
  if (share === 0 || share <= shareBefore || discountsWithin(sale, Math.max(limitBp, sale.discountApprovedBp ?? 0))) return null
  if (approver?.isManager) return share
  throw new DomainError(
    `A discount of more than ${percentText(limitBp)} of the sale needs a manager\u2019s approval: this one comes to ${percentText(share)}. ${remedy}`,
    { status: 403, code: 'manager_required', field }
  )
}
