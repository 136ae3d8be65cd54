import { DateTime } from 'luxon'
import type Sale from '#models/sale'
import type SaleItem from '#models/sale_item'
import type Payment from '#models/payment'
import type Store from '#models/store'
import type Refund from '#models/refund'
import SalesQueryService from '#sales/sales_query_service'
import { formatMoney } from '#core/money'
import { paymentMethodLabel } from '#sales/payment_methods'
import { saleReference } from '#core/sale_reference'
import { loyaltyBalanceFor } from '#sales/loyalty_service'
import { DomainError } from '#exceptions/domain_error'

/*
| One receipt, three renderers: the HTML partial (till/_receipt.edge), ESC/POS on paper
| (app/hardware/escpos.ts) and PDF (receipt_pdf_service.ts) all print this view-model, so the
| screen, the paper and the download never disagree. Amounts are formatted here once.
*/

export interface ReceiptLine {
  name: string
  quantity: number
  /** "@ $4.50" under a line of several, or an overridden price with the list price */
  unitNote: string | null
  amount: string
  discount: string | null
  /** For the A4 invoice: unit price, tax rate and the line's total after discounts */
  unitPrice: string
  taxRate: string
  total: string
}

/** A refund of the sale as its receipt lists it (the refund's own receipt: /till/refunds/:id) */
export interface ReceiptRefund {
  id: number
  /** "Refund 12", or "Exchange 12" when the goods went towards another sale */
  label: string
  when: string
  lines: { quantity: number; name: string; amount: string }[]
  payments: { label: string; amount: string }[]
  total: string
}

export interface ReceiptView {
  saleId: number
  number: number | null
  status: string
  storeName: string
  storeAddress: string | null
  registerName: string
  cashierFirstName: string | null
  when: string
  lines: ReceiptLine[]
  subtotal: string
  discountTotal: string | null
  taxes: { label: string; amount: string }[]
  total: string
  rounding: string | null
  payments: { label: string; amount: string }[]
  change: string | null
  /**
   * What was given back since the sale, so a reprint does not pass for what the customer still
   * holds: "REFUNDED" (every unit came back) or "PARTLY REFUNDED", null without refunds
   */
  refundNote: string | null
  refunds: ReceiptRefund[]
  /** The refunds' total ("−$9.72"), null without refunds */
  refundedTotal: string | null
  /** Only a first name on the till receipt (the invoice carries the full details) */
  customerFirstName: string | null
  customer: { name: string; email: string | null; phone: string | null } | null
  storeId: number
  customerId: number | null
  /** The customer's loyalty balance, when a loyalty program is enabled ("120 points ($1.20)") */
  points: string | null
  /**
   * The balance is read when the receipt is drawn, not kept with the sale: printed at the sale it
   * is "Points balance", on any later print it says the day it was read
   */
  pointsLabel: string
  footer: string
  /** What the barcode / QR code on paper encodes: the register and the sale number */
  code: string
  /** The invoice's date (the store's day) */
  date: string
  currency: string
  totalMinor: number
}

export interface ReceiptSource {
  sale: Sale
  items: SaleItem[]
  payments: Payment[]
  store: Store
  /** With items and payments loaded (SalesQueryService.find reads them); none: the sale has none */
  refunds?: Refund[]
  /** Drawn as the sale completes (the till's answer, its first print job); else it is a reprint */
  atSale?: boolean
}

type TaxedLine = Pick<SaleItem, 'taxRatePpm' | 'taxTotal'> & { taxes?: { name: string; ratePpm: number; amount: number }[] | null }

/** Tax totals by tax and rate, from each line's stored taxes (several per line for US sales tax; older lines have one rate) */
export function taxesByRate(items: TaxedLine[]): { name: string; ratePpm: number; amount: number }[] {
  const byRate = new Map<string, { name: string; ratePpm: number; amount: number }>()
  for (const item of items) {
    const taxes = item.taxes ?? (item.taxTotal ? [{ name: 'Tax', ratePpm: item.taxRatePpm, amount: item.taxTotal }] : [])
    for (const tax of taxes) {
      if (!tax.amount) continue
      const id = `${tax.name}:${tax.ratePpm}`
      const entry = byRate.get(id) ?? { name: tax.name, ratePpm: tax.ratePpm, amount: 0 }
      entry.amount += tax.amount
      byRate.set(id, entry)
    }
  }
  return [...byRate.values()].sort((a, b) => b.ratePpm - a.ratePpm)
}

const ratePercent = (ppm: number) => `${Number((ppm / 10000).toFixed(4))}%`

/**
 * Whether the sale's prices included its tax: the taxes were not added on top of the net amount.
 * Read from the sale, not the store's setting now, which may have changed since
 */
export function taxIncluded(sale: Pick<Sale, 'total' | 'subtotal' | 'discountTotal' | 'taxTotal'>) {
  return sale.total === sale.subtotal - sale.discountTotal && sale.taxTotal > 0
}

/** Builds the view-model from a sale already loaded with its register, user and customer */
export function buildReceipt({ sale, items, payments, store, refunds = [], atSale = false }: ReceiptSource): ReceiptView {
  const currency = store.currency
  const m = (minor: number) => formatMoney(Number(minor ?? 0), currency)
  const inclusive = taxIncluded(sale)
  const when = sale.completedAt ?? sale.createdAt
  const register = (sale as any).$preloaded?.register as Sale['register'] | undefined
  const user = (sale as any).$preloaded?.user as Sale['user'] | undefined
  const customer = (sale as any).$preloaded?.customer as Sale['customer'] | undefined | null
  return {
    saleId: sale.id,
    number: sale.number,
    status: sale.status,
    storeName: store.name,
    storeAddress: store.address,
    registerName: register?.name ?? '',
    cashierFirstName: user?.firstName ?? null,
    when: when ? when.setZone(store.timeZone).toFormat('yyyy-LL-dd HH:mm') : '',
    lines: items.map((item) => ({
      name: item.name,
      quantity: item.quantity,
      unitNote:
        item.quantity > 1 || item.priceOverrideBy
          ? `@ ${m(item.unitPrice)}${item.priceOverrideBy ? ` (was ${m(item.listPrice)})` : ''}`
          : null,
      amount: m(item.subtotal),
      discount: item.lineDiscount > 0 ? `−${m(item.lineDiscount)}` : null,
      unitPrice: m(item.unitPrice),
      taxRate: ratePercent(item.taxRatePpm),
      total: m(item.total),
    })),
    subtotal: m(sale.subtotal),
    discountTotal: sale.discountTotal > 0 ? `−${m(sale.discountTotal)}` : null,
    taxes: taxesByRate(items).map((tax) => ({
      label: `${inclusive ? 'incl. ' : ''}${tax.name} ${ratePercent(tax.ratePpm)}`,
      amount: m(tax.amount),
    })),
    total: m(sale.total),
    rounding: sale.roundingTotal ? m(sale.roundingTotal) : null,
    payments: payments
      .filter((p) => p.status === 'approved')
      .map((p) => ({ label: `${paymentMethodLabel(p.method)}${p.reference ? ' ' + p.reference : ''}`, amount: m(p.tendered ?? p.amount) })),
    change: sale.changeDue > 0 ? m(sale.changeDue) : null,
    refundNote: refunds.length ? (items.every((item) => item.refundedQuantity >= item.quantity) ? 'REFUNDED' : 'PARTLY REFUNDED') : null,
    refunds: refunds.map((refund) => receiptRefund(refund, items, store)),
    refundedTotal: refunds.length ? `−${m(refunds.reduce((sum, refund) => sum + Number(refund.total), 0))}` : null,
    customerFirstName: customer?.firstName ?? null,
    customer: customer ? { name: customer.name, email: customer.email, phone: customer.phone } : null,
    storeId: sale.storeId,
    customerId: sale.customerId ?? null,
    points: null,
    pointsLabel: atSale ? 'Points balance' : `Points balance today (${DateTime.now().setZone(store.timeZone).toFormat('d LLL yyyy')})`,
    footer: store.receiptFooter || 'Thank you for shopping with us',
    code: saleReference({ registerId: sale.registerId, number: sale.number ?? sale.id }),
    date: when ? when.setZone(store.timeZone).toFormat('yyyy-LL-dd') : '',
    currency,
    totalMinor: sale.total,
  }
}

function receiptRefund(refund: Refund, items: SaleItem[], store: Store): ReceiptRefund {
  const m = (minor: number) => formatMoney(Number(minor ?? 0), store.currency)
  const names = new Map(items.map((item) => [item.id, item.name]))
  return {
    id: refund.id,
    label: `${refund.kind === 'exchange' ? 'Exchange' : 'Refund'} ${refund.id}`,
    when: refund.createdAt.setZone(store.timeZone).toFormat('yyyy-LL-dd HH:mm'),
    lines: refund.items.map((line) => ({
      quantity: line.quantity,
      name: `${names.get(line.saleItemId ?? 0) ?? ''}${line.restock ? '' : ' (damaged)'}`,
      amount: `−${m(line.amount)}`,
    })),
    payments: refund.payments.map((payment) => ({ label: paymentMethodLabel(payment.method), amount: m(payment.amount) })),
    total: `−${m(refund.total)}`,
  }
}

export default class ReceiptService {
  constructor(private sales = new SalesQueryService()) {}

  /** The receipt of one sale of the store (404 for another store's sale); `atSale`: see ReceiptSource */
  async forSale(store: Store, saleId: number, options: { atSale?: boolean } = {}): Promise<ReceiptView> {
    const detail = await this.sales.find(store, saleId)
    refuseWithoutReceipt(detail.sale)
    const receipt = buildReceipt({ ...detail, store, atSale: options.atSale })
    receipt.points = await pointsLine(receipt)
    return receipt
  }
}

/**
 * A sale has a receipt once completed (a sale voided after it keeps it, marked voided). A cart
 * still open, parked or abandoned (voided before it completed) has none: it printed "Receipt
 * #null", and its invoice took the sale's id for a number
 */
export function refuseWithoutReceipt(sale: { completedAt: unknown }) {
  if (!sale.completedAt) {
    throw new DomainError('This sale is not completed yet: it has no receipt', { status: 409, code: 'sale_not_completed' })
  }
}

/** The loyalty balance line of a receipt, or null without a program or a customer */
export async function pointsLine(receipt: Pick<ReceiptView, 'storeId' | 'customerId' | 'currency'>): Promise<string | null> {
  const balance = await loyaltyBalanceFor({ storeId: receipt.storeId, customerId: receipt.customerId })
  return balance ? `${balance.points} points (${formatMoney(balance.value, receipt.currency)})` : null
}
