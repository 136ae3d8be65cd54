import { createHash } from 'node:crypto'
import type Sale from '#models/sale'

/*
| What the till's screen shows of a cart, and what a change of it changed there. Every cart
| action used to answer with the whole cart panel: a scan into a 10-line basket sent all ten
| lines again (23 KB before compression). The panel now carries a version of what it shows
| (data-cart-version, sent back as X-Cart-Version by public/js/app.js); when a change starts
| from that very version and touches only lines, the answer is those lines, the totals and the
| payment panel (till/_cart_changes), swapped in out of band. Any doubt (another version, the
| customer or the cart discount changed, a payment, an empty cart, lines out of order) gets the
| whole panel, as before.
*/

/** The fields of a line that the cart panel shows (till/_cart_line): a CartLine or a SaleItem */
interface ShownLineFields {
  id: number
  name: string
  quantity: number
  unitPrice: number
  lineDiscount: number
  discountType: string | null
  discountValue: number
  priceOverrideBy: number | null
}

/** The screen's view of a cart: its version, the panel's parts besides the lines, and each line */
export interface CartOnScreen {
  version: string
  rest: string
  lines: Map<number, string>
}

export interface CartScreenChanges {
  /** The version the screen must still show to take these changes */
  base: string
  changed: ShownLineFields[]
  added: ShownLineFields[]
  removed: number[]
}

// Written the same from a CartLine (numbers) and a SaleItem model (a driver may give strings). A
// line's amount is quantity × price (till/_cart_line): a change elsewhere in the cart (a cart
// discount, tax rounded over the whole sale) changes no line's text
const lineKey = (line: ShownLineFields) =>
  [line.name, Number(line.quantity), Number(line.unitPrice), Number(line.lineDiscount), line.discountType ?? '', Number(line.discountValue ?? 0), line.priceOverrideBy ?? ''].join('\u0001')

export function cartOnScreen(sale: Sale, lines: readonly ShownLineFields[]): CartOnScreen {
  // The customer row, the cart discount form and the actions (which payments disable) are not in a partial answer
  const rest = [sale.id, sale.status, sale.customerId ?? '', sale.cartDiscountType ?? '', Number(sale.cartDiscountValue ?? 0), Number(sale.paidTotal ?? 0)].join('\u0001')
  const keys = new Map<number, string>()
  const hash = createHash('sha256').update(rest)
  for (const line of lines) {
    const key = lineKey(line)
    keys.set(Number(line.id), key)
    hash.update(`\u0002${line.id}\u0001${key}`)
  }
  return { version: hash.digest('base64url').slice(0, 22), rest, lines: keys }
}

/**
 * What a change changed on a screen that showed `before` (the version it sent), as lines to swap,
 * append and remove; null when the whole panel must be drawn again
 */
export function cartScreenChanges(shownVersion: string | undefined, before: CartOnScreen, after: CartOnScreen, lines: readonly ShownLineFields[]): CartScreenChanges | null {
  if (!shownVersion || shownVersion !== before.version || before.rest !== after.rest) return null
  // An empty cart shows a hint instead of the list, and a cart emptied shows it again
  if (before.lines.size === 0 || after.lines.size === 0) return null
  const changes: CartScreenChanges = { base: before.version, changed: [], added: [], removed: [] }
  for (const id of before.lines.keys()) if (!after.lines.has(id)) changes.removed.push(id)
  let last = -1
  const order = [...before.lines.keys()]
  for (const line of lines) {
    const id = Number(line.id)
    const was = before.lines.get(id)
    if (was === undefined) {
      changes.added.push(line)
      continue
    }
    // A new line goes at the end of the list: lines kept must come before it and in their order
    const at = order.indexOf(id)
    if (changes.added.length || at < last) return null
    last = at
    if (was !== after.lines.get(id)) changes.changed.push(line)
  }
  return changes
}
