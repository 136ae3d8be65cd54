/*
| A discount limit's arithmetic, the same on the server (app/sales/discount_limit.ts) and in the
| offline till (resources/js/offline/cart.js): the share of a sale its discounts take, whether
| they stay within a share of it, and whether a change of them needs a manager.
*/

/**
 * The share of a sale's amount before discounts that its discounts (line and cart together) take,
 * in basis points rounded up: 20.01% off is over a 20% limit, never rounded down to it
 */
export function discountShareBp(subtotal: number, discountTotal: number): number {
  if (subtotal <= 0 || discountTotal <= 0) return 0
  return Math.ceil((discountTotal * 10_000) / subtotal)
}

/**
 * Whether a sale's discounts stay within a share of it (`limitBp`). Each percent discount is
 * rounded half-up to the cent on its own (`percentDiscounts` of them), so up to half a cent each
 * past the exact share is within it: 20% off $12.34 is $2.47, 20.016% of it, and a cashier asking
 * for exactly the limit was refused on about half of all prices
 */
export function discountWithin(subtotal: number, discountTotal: number, limitBp: number, percentDiscounts: number): boolean {
  return discountTotal * 10_000 <= subtotal * limitBp + 5_000 * percentDiscounts
}

/** A cart's amounts as pricing left them, with its cart discount and how many of its discounts are percentages */
export interface DiscountedCart {
  subtotal: number
  discountTotal: number
  cartDiscountType?: string | null
  cartDiscountValue?: number
  /** Each percent discount may round half a cent up (discountWithin) */
  percentDiscounts: number
}

/** How many of the lines' and the cart's discounts are percentages */
export function percentDiscountsOf(lines: { discountType: string | null; discountValue: number }[], cart: { type?: string | null; value?: number }) {
  const cartPercent = cart.type === 'percent' && (cart.value ?? 0) > 0 ? 1 : 0
  return lines.filter((line) => line.discountType === 'percent' && line.discountValue > 0).length + cartPercent
}

/**
 * The share of the sale its discounts take; an empty cart's percent discount counts at its
 * percent: it takes that of whatever is scanned next (a 50% cart discount set first made every
 * scan after it the change refused, with a message about a discount nobody was changing)
 */
export function discountShareOf(cart: Omit<DiscountedCart, 'percentDiscounts'>): number {
  if (cart.subtotal === 0 && cart.cartDiscountType === 'percent') return cart.cartDiscountValue ?? 0
  return discountShareBp(cart.subtotal, cart.discountTotal)
}

/** Whether the cart's discounts stay within `limitBp` of it; an empty cart's percent discount at its percent */
export function discountsWithin(cart: DiscountedCart, limitBp: number) {
  if (cart.subtotal === 0) return cart.cartDiscountType !== 'percent' || (cart.cartDiscountValue ?? 0) <= limitBp
  return discountWithin(cart.subtotal, cart.discountTotal, limitBp, cart.percentDiscounts)
}

/**
 * A cart's discounts as a share of it (discountShareOf) and an amount (minor units): as they were
 * before a change, or as a manager approved them. An approval binds both: the share alone let a
 * cashier, approved for 50% off a $2 cart, add $500 of goods at 50%
 */
export interface DiscountFigures {
  shareBp: number
  amount: number
}

/**
 * Whether a change that left the cart's discounts as they are needs a manager. It does not when
 * it raised neither their share nor their amount (lowering a discount is always allowed, and a
 * store that lowers its limit leaves open carts as they are), nor while they stay within the
 * store's limit (`limitBp`), nor while they stay within BOTH the share and the amount a manager
 * approved on the cart (`approved`; none offline, where no PIN can be checked)
 */
export function discountNeedsManager(cart: DiscountedCart, before: DiscountFigures, limitBp: number, approved: DiscountFigures | null = null): boolean {
  const share = discountShareOf(cart)
  if (share === 0 || (share <= before.shareBp && cart.discountTotal <= before.amount)) return false
  if (discountsWithin(cart, limitBp)) return false
  return !approved || cart.discountTotal > approved.amount || !discountsWithin(cart, approved.shareBp)
}
