import type User from '#models/user'
import { DomainError } from '#exceptions/domain_error'
import { discountNeedsManager, discountShareOf, discountsWithin, percentDiscountsOf, type DiscountedCart, type DiscountFigures } from '#core/discount_share'

/*
| How far a cashier may discount on their own: the store's discount_limit, a share of the sale's
| amount before discounts, line and cart discounts together (20% off a line and 20% off the cart
| is 36% of that line). Beyond it a manager approves: a manager selling, or a manager's PIN given
| with the discount, or with a quantity or a removal. A till cart keeps what was approved: the
| share AND the amount (sales.discount_approved_bp, discount_approved_amount), so the cashier's
| later changes within both need no second PIN; 50% approved on a $2 cart is $1 off, not 50% of
| whatever is scanned next. The rule is the core's (discountNeedsManager), the offline cart's too.
| Only a change that raises the share or the amount past what is allowed is refused, whatever the
| change: a quantity lowered under a fixed discount raises the share too (else a cashier could take
| $20 off ten items, approved as 20%, and sell one). A store that lowers its limit leaves open carts as they are.
| Amounts are compared, each percent discount allowed its half cent of rounding (core
| discountWithin), so exactly the limit is within it at any price.
| Offline, the till applies the same limit to a cashier's discounts and payments (no PIN can be
| checked there), and the server sends a sale over it to the manager's review list (offline_sale_rows.ts).
*/

/** 2000 -> "20%", 1250 -> "12.5%" */
export function percentText(bp: number) {
  return `${bp / 100}%`
}

/** A sale as the limit reads it: its discounts, and the share and amount a manager approved on it */
export interface DiscountedSale extends DiscountedCart {
  discountApprovedBp?: number | null
  discountApprovedAmount?: number | null
}

type SaleAmounts = { subtotal: number; discountTotal: number; cartDiscountType?: string | null; cartDiscountValue?: number; discountApprovedBp?: number | null; discountApprovedAmount?: number | null }

/** A sale as the limit reads it, from the model or a new sale and its lines */
export function discountedSale(sale: SaleAmounts, lines: { discountType: string | null; discountValue: number }[]): DiscountedSale {
  const { subtotal, discountTotal, cartDiscountType, cartDiscountValue, discountApprovedBp, discountApprovedAmount } = sale
  const percentDiscounts = percentDiscountsOf(lines, { type: cartDiscountType, value: cartDiscountValue })
  return { subtotal, discountTotal, cartDiscountType, cartDiscountValue, discountApprovedBp, discountApprovedAmount, percentDiscounts }
}

/** A sale's discounts before a change (nothing for a new sale), for approveDiscount */
export function discountsBefore(sale?: SaleAmounts): DiscountFigures {
  return sale ? { shareBp: discountShareOf(sale), amount: sale.discountTotal } : { shareBp: 0, amount: 0 }
}

/**
 * Checks a sale's discounts after a change (`before`: as they were before it, core
 * discountNeedsManager). Answers what the change needed a manager for, its share and amount (the
 * sale keeps them as approved), or null when it needed none; refuses (403 manager_required on
 * `field`) when no manager approves.
 */
export function approveDiscount(
  limitBp: number,
  sale: DiscountedSale,
  before: DiscountFigures,
  approver: User | null,
  field: string,
  remedy = 'Enter a manager\u2019s PIN, or lower the discount.'
): DiscountFigures | null {
  const approved = sale.discountApprovedBp ? { shareBp: sale.discountApprovedBp, amount: sale.discountApprovedAmount ?? 0 } : null
  if (!discountNeedsManager(sale, before, limitBp, approved)) return null
  const share = discountShareOf(sale)
  if (approver?.isManager) return { shareBp: share, amount: sale.discountTotal }
  // Within the share a manager approved, it is the amount that went past it
  const past = approved && discountsWithin(sale, approved.shareBp) ? ', more than the amount a manager approved on this sale' : ''
  throw new DomainError(
    `A discount of more than ${percentText(limitBp)} of the sale needs a manager\u2019s approval: this one comes to ${percentText(share)}${past}. ${remedy}`,
    { status: 403, code: 'manager_required', field }
  )
}
