import type { DateTime } from 'luxon'
import type Product from '#models/product'
import type Sale from '#models/sale'
import type SaleItem from '#models/sale_item'
import { NewSale, type PaymentFields } from '#sales/new_sale'
import type Refund from '#models/refund'
import type { CartLine } from '#core/cart_lines'

/*
| The JSON shapes of the REST API. Money is integer minor units; dates are ISO 8601 in UTC.
*/

/**
 * Whole seconds in UTC, as the database keeps them: a sale answered from memory reads like one read
 * back. The same text as luxon's toUTC().startOf('second').toISO(), made from the epoch
 * milliseconds: luxon's way (two DateTimes and a format) was about 1% of an API sale's server CPU.
 */
function iso(at: DateTime | null | undefined) {
  return at?.isValid ? new Date(Math.floor(at.toMillis() / 1000) * 1000).toISOString() : null
}

/**
 * `withCost`: what the product cost the store, for those who may manage products only (the
 * offline catalog leaves it out for the same reason; GET /api/products gave it to every cashier)
 */
export function productJson(product: Product, withCost: boolean) {
  const barcodes = product.$preloaded.barcodes ? product.barcodes.map((b) => b.code) : []
  return {
    id: product.id,
    name: product.name,
    sku: product.sku,
    barcode: barcodes[0] ?? null,
    barcodes,
    price: product.price,
    ...(withCost ? { cost: product.cost } : {}),
    category: product.$preloaded.category && product.category ? product.category.name : null,
    category_id: product.categoryId,
    tax_class: product.taxClass,
    stock: product.stock,
    active: product.active && !product.archivedAt,
    archived: !!product.archivedAt,
    // When its fields last changed, to the second (a change of stock alone is dated in its ledger: updated_since finds both)
    updated_at: product.updatedAt ? product.updatedAt.toUTC().toISO({ suppressMilliseconds: true }) : null,
  }
}

export function saleItemJson(item: SaleItem | CartLine) {
  return {
    id: item.id,
    product_id: item.productId,
    name: item.name,
    sku: item.sku,
    quantity: item.quantity,
    unit_price: item.unitPrice,
    list_price: item.listPrice,
    subtotal: item.subtotal,
    discount: item.lineDiscount + item.cartDiscountShare,
    tax: item.taxTotal,
    tax_rate: item.taxRatePpm / 10_000,
    total: item.total,
    // (a new sale's plain lines have none yet)
    refunded_quantity: (item as SaleItem).refundedQuantity ?? 0,
  }
}

export function paymentJson(payment: PaymentFields) {
  return {
    id: payment.id,
    sale_id: payment.saleId,
    method: payment.method,
    amount: payment.amount,
    tendered: payment.tendered,
    change: payment.change,
    reference: payment.reference,
    status: payment.status,
    created_at: iso(payment.createdAt),
  }
}

export function refundJson(refund: Refund) {
  return {
    id: refund.id,
    sale_id: refund.saleId,
    register_id: refund.registerId,
    user_id: refund.userId,
    approved_by: refund.approvedBy,
    kind: refund.kind,
    exchange_sale_id: refund.exchangeSaleId,
    reason: refund.reason,
    total: refund.total,
    tax_total: refund.taxTotal,
    items: (refund.$preloaded.items ? refund.items : []).map((i) => ({
      sale_item_id: i.saleItemId,
      product_id: i.productId,
      quantity: i.quantity,
      amount: i.amount,
      tax: i.taxAmount,
      restock: i.restock,
    })),
    payments: (refund.$preloaded.payments ? refund.payments : []).map((p) => ({ method: p.method, amount: p.amount })),
    created_at: refund.createdAt?.toISO() ?? null,
  }
}

/** A sale read back (a model), or one just made (NewSale: nothing returned or voided yet) */
export function saleJson(sale: Sale | NewSale, items: (SaleItem | CartLine)[], payments: PaymentFields[], refunds?: Refund[]) {
  const readBack = sale instanceof NewSale ? null : sale
  return {
    id: sale.id,
    number: sale.number ?? null,
    status: sale.status,
    register_id: sale.registerId,
    user_id: sale.userId,
    customer_id: sale.customerId ?? null,
    subtotal: sale.subtotal,
    discount_total: sale.discountTotal,
    tax_total: sale.taxTotal,
    total: sale.total,
    rounding: sale.roundingTotal,
    paid_total: sale.paidTotal,
    balance_due: sale.balanceDue,
    change_due: sale.changeDue,
    completed_at: iso(sale.completedAt),
    created_at: iso(sale.createdAt),
    items: items.map(saleItemJson),
    payments: payments.filter((p) => p.status === 'approved').map(paymentJson),
    // Returns (refunds.ts): what went back, and a void's who and why
    ...(refunds
      ? {
          refunded_total: Number(readBack?.refundedTotal ?? 0),
          refunds: refunds.map(refundJson),
          voided_at: readBack?.voidedAt?.toISO() ?? null,
          voided_by: readBack?.voidedBy ?? null,
          void_reason: readBack?.voidReason ?? null,
        }
      : {}),
  }
}
