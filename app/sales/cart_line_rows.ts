import type Sale from '#models/sale'
import type { CartLine } from '#core/cart_lines'
import { dbTimestamp } from '#platform/db_time'
import { insertStatement, type Statement } from '#platform/sql_batch'
import type { CartOnScreen } from '#sales/cart_screen'

/*
| The rows (sale_items) of the till's open cart lines, plain CartLine data (app/core/cart_lines.ts).
| Every scan reads the whole cart, prices it again and writes what changed; as Lucid models (a proxy per row, a deep copy of its originals,
| a diff of every column) the lines cost a fifth of a scan's time. The cart partial reads the
| same camelCase fields from a CartLine as from a SaleItem. The API's new sales build their
| lines the same way (they are only written and answered); a sale's lines read back later are
| SaleItem models.
*/

type Field = Exclude<keyof CartLine, 'id'>

/** Each field and its column in sale_items */
const COLUMNS: [Field, string][] = [
  ['saleId', 'sale_id'],
  ['productId', 'product_id'],
  ['name', 'name'],
  ['sku', 'sku'],
  ['quantity', 'quantity'],
  ['listPrice', 'list_price'],
  ['unitPrice', 'unit_price'],
  ['priceOverrideBy', 'price_override_by'],
  ['discountType', 'discount_type'],
  ['discountValue', 'discount_value'],
  ['lineDiscount', 'line_discount'],
  ['cartDiscountShare', 'cart_discount_share'],
  ['taxClass', 'tax_class'],
  ['taxRatePpm', 'tax_rate_ppm'],
  ['taxTotal', 'tax_total'],
  ['taxes', 'taxes'],
  ['subtotal', 'subtotal'],
  ['total', 'total'],
  ['position', 'position'],
]

/** The columns a cart reads of its lines */
export const CART_LINE_COLUMNS = ['id', ...COLUMNS.map(([, column]) => column)].join(', ')

const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value))

export function cartLineFromRow(row: any): CartLine {
  return {
    id: Number(row.id),
    saleId: Number(row.sale_id),
    productId: Number(row.product_id),
    name: row.name,
    sku: row.sku,
    quantity: Number(row.quantity),
    listPrice: Number(row.list_price),
    unitPrice: Number(row.unit_price),
    priceOverrideBy: nullableNumber(row.price_override_by),
    discountType: row.discount_type ?? null,
    discountValue: Number(row.discount_value ?? 0),
    lineDiscount: Number(row.line_discount ?? 0),
    cartDiscountShare: Number(row.cart_discount_share ?? 0),
    taxClass: row.tax_class,
    taxRatePpm: Number(row.tax_rate_ppm ?? 0),
    taxTotal: Number(row.tax_total ?? 0),
    taxes: typeof row.taxes === 'string' ? JSON.parse(row.taxes) : (row.taxes ?? null),
    subtotal: Number(row.subtotal ?? 0),
    total: Number(row.total ?? 0),
    position: Number(row.position),
  }
}

/** What a line's row holds (its column values, taxes as JSON): to see later what changed, and to write it */
export function saleItemRow(line: CartLine): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const [field, column] of COLUMNS) row[column] = field === 'taxes' ? (line.taxes ? JSON.stringify(line.taxes) : null) : line[field]
  return row
}

/** A new line's row for its INSERT, stamped now */
export function newSaleItemRow(line: CartLine): Record<string, unknown> {
  const now = dbTimestamp()
  return { ...saleItemRow(line), created_at: now, updated_at: now }
}

/** The INSERT of a new line, the UPDATE of what changed since `before` (saleItemRow), or null */
export function cartLineWrite(line: CartLine, before: Record<string, unknown> | undefined): Statement | null {
  if (!line.id) return insertStatement('sale_items', [newSaleItemRow(line)])
  const row = saleItemRow(line)
  const changed = Object.keys(row).filter((column) => row[column] !== before?.[column])
  if (!changed.length) return null
  return {
    sql: `UPDATE sale_items SET ${changed.map((column) => `${column} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
    bindings: [...changed.map((column) => row[column]), dbTimestamp(), line.id],
  }
}

/** The lines a cart change read and wrote, kept with its sale for the partial that shows it, with what the screen showed before */
const changeOfSale = new WeakMap<Sale, { lines: CartLine[]; before: CartOnScreen }>()

export function keepCartLines(sale: Sale, lines: CartLine[], before: CartOnScreen) {
  changeOfSale.set(sale, { lines, before })
}

export function cartLinesOf(sale: Sale): CartLine[] | undefined {
  return changeOfSale.get(sale)?.lines
}

/** The cart as the screen showed it before the change that `sale` comes from */
export function cartBeforeChange(sale: Sale): CartOnScreen | undefined {
  return changeOfSale.get(sale)?.before
}
