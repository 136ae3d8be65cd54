import { DateTime } from 'luxon'
import { paymentMethodLabel } from '#sales/payment_methods'
import { formatMoney } from '#core/money'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type Shift from '#models/shift'
import type { MethodTotal, ShiftFigures, TaxRateTotal } from '#models/z_report'
import { taxIncluded } from '#sales/receipt_service'
import { dbTimestamp } from '#platform/db_time'
import { stackedTaxes, stackedTaxesSql } from '#accounting/tax_components'

/*
| The figures of a shift, all worked out by aggregate SQL (a few grouped queries whatever the
| number of sales): the X report reads them live, the Z report freezes them at close.
|
| Expected cash = float + cash taken - change given - cash refunds + cash in - cash out.
| A completed sale that was later voided counts as a void, not as a sale, and its cash is taken
| to have been handed back.
*/

const n = (value: unknown) => Number(value ?? 0)
/** A line with more than one tax (state, county, city): listed by component */
const STACKED = stackedTaxesSql('sale_items.taxes')

/**
 * A Z report as label / value lines, for the receipt printer (the PDF and page use the templates).
 * Times are the store's, as on the page and the PDF (they were printed in UTC, unmarked)
 */
export function zReportLines(number: number, f: ShiftFigures, timeZone: string): [string, string][] {
  const m = (minor: number | null) => formatMoney(minor ?? 0, f.currency)
  const at = (iso: string | null) => (iso ? DateTime.fromISO(iso, { zone: 'utc' }).setZone(timeZone).toFormat('yyyy-MM-dd HH:mm') : '')
  const difference = f.difference ?? 0
  return [
    ['Z report', `#${number}`],
    ['Opened', at(f.openedAt)],
    ['Closed', at(f.closedAt)],
    ['Sales', `${f.sales.count} · ${m(f.sales.total)}`],
    ['Discounts', m(f.sales.discounts)],
    [salesTaxIncluded(f.sales) ? 'Included tax' : 'Tax', m(f.sales.tax)],
    // With a rounding, what was taken beside it: the reports' Total of these sales
    ...(f.sales.rounding
      ? ([
          ['Cash rounding', `${f.sales.rounding < 0 ? '-' : '+'}${m(Math.abs(f.sales.rounding))}`],
          ['Taken', m(f.sales.total + f.sales.rounding)],
        ] as [string, string][])
      : []),
    ...f.byMethod.map((t): [string, string] => [paymentMethodLabel(t.method), m(t.amount)]),
    ...f.taxByRate.map((t): [string, string] => [`${t.name ?? 'Tax'} ${Number((t.ratePpm / 10000).toFixed(4))}%`, m(t.tax)]),
    // Every tender; the drawer's cash counts only the cash refunds (below)
    ['Refunds (all tenders)', `${f.refunds.count} · ${m(f.refunds.total)}`],
    ['Voids', `${f.voids.count} · ${m(f.voids.total)}`],
    ['Float', m(f.openingFloat)],
    ['Cash refunds', m(f.cash.refunds)],
    ['Cash in', m(f.cashIn.total)],
    ['Cash out', m(f.cashOut.total)],
    ['Expected cash', m(f.cash.expected)],
    ['Counted cash', m(f.counted)],
    // The word says the sign, as the report's page (shifts/_figures)
    [difference < 0 ? 'Short' : difference > 0 ? 'Over' : 'Difference', m(Math.abs(difference))],
  ]
}

/** Whether a shift's sales had prices that included their tax (as a sale's, receipt_service.ts) */
export function salesTaxIncluded(sales: ShiftFigures['sales']) {
  return taxIncluded({ total: sales.total, subtotal: sales.subtotal, discountTotal: sales.discounts, taxTotal: sales.tax })
}

/**
 * The tax by rate of the lines of one tax, and each component of the stacked ones under its
 * name and rate: the net of the lines it was charged on, its amount, and the two added up.
 * Ordered by rate, highest first, as the flat rates always were
 */
function withComponents(flat: TaxRateTotal[], stacked: { taxes: string; tax_total: number; total: number }[]): TaxRateTotal[] {
  const components = new Map<string, TaxRateTotal>()
  for (const line of stacked) {
    const net = n(line.total) - n(line.tax_total)
    for (const tax of stackedTaxes(line.taxes) ?? []) {
      const key = `${tax.code}|${tax.ratePpm}`
      const entry = components.get(key) ?? { name: tax.name, ratePpm: tax.ratePpm, net: 0, tax: 0, gross: 0 }
      entry.net += net
      entry.tax += tax.amount
      entry.gross += net + tax.amount
      components.set(key, entry)
    }
  }
  return [...flat, ...components.values()].sort((a, b) => b.ratePpm - a.ratePpm)
}

export default class ShiftReportService {
  /** The shift's figures as of now (X), or as of its close when `closedAt` is given (Z) */
  async figures(shift: Shift, currency: string, client: QueryClientContract = db.connection(), closedAt: Date | null = null): Promise<ShiftFigures> {
    const [sales, items, voids, carts, methods, taxes, stacked, movements, refunds] = await Promise.all([
      client
        .from('sales')
        .where({ shift_id: shift.id, status: 'completed' })
        .count('* as count')
        .sum({ subtotal: 'subtotal', discounts: 'discount_total', tax: 'tax_total', total: 'total', rounding: 'rounding_total' })
        .first(),
      client
        .from('sale_items')
        .join('sales', 'sales.id', 'sale_items.sale_id')
        .where({ 'sales.shift_id': shift.id, 'sales.status': 'completed' })
        .sum('sale_items.quantity as items')
        .first(),
      // Completed, then voided (the number stays): a void of a sale
      client.from('sales').where({ shift_id: shift.id, status: 'voided' }).count('* as count').sum('total as total').first(),
      // Carts abandoned at this register while the shift was open (never completed, so no shift
      // stamp), with something on them: the empty cart a resumed parked sale replaces is not one
      client
        .from('sales')
        .where({ register_id: shift.registerId, status: 'voided' })
        .whereNull('shift_id')
        .whereExists(client.from('sale_items').whereColumn('sale_items.sale_id', 'sales.id').select('sale_items.id'))
        .where('updated_at', '>=', dbTimestamp(shift.openedAt))
        .if(closedAt, (q) => q.where('updated_at', '<=', dbTimestamp(closedAt!)))
        .count('* as count')
        .first(),
      client
        .from('payments')
        .join('sales', 'sales.id', 'payments.sale_id')
        .where({ 'sales.shift_id': shift.id, 'sales.status': 'completed', 'payments.status': 'approved' })
        .groupBy('payments.method')
        .select('payments.method')
        .count('* as count')
        .sum({ amount: 'payments.amount', change: 'payments.change' })
        .select(client.raw('sum(coalesce(payments.tendered, payments.amount)) as tendered'))
        .orderBy('payments.method'),
      client
        .from('sale_items')
        .join('sales', 'sales.id', 'sale_items.sale_id')
        .where({ 'sales.shift_id': shift.id, 'sales.status': 'completed' })
        .whereRaw(`not ${STACKED}`)
        .groupBy('sale_items.tax_rate_ppm')
        .select('sale_items.tax_rate_ppm as rate')
        .sum({ tax: 'sale_items.tax_total', gross: 'sale_items.total' })
        .orderBy('sale_items.tax_rate_ppm', 'desc'),
      // The lines of stacked taxes, one by one (a shift's): their taxes are listed per component
      client
        .from('sale_items')
        .join('sales', 'sales.id', 'sale_items.sale_id')
        .where({ 'sales.shift_id': shift.id, 'sales.status': 'completed' })
        .whereRaw(STACKED)
        .select('sale_items.taxes', 'sale_items.tax_total', 'sale_items.total'),
      client.from('cash_movements').where('shift_id', shift.id).groupBy('kind').select('kind').count('* as count').sum('amount as total'),
      this.refunds(shift, client),
    ])

    const byMethod: MethodTotal[] = methods.map((row: any) => ({
      method: row.method,
      count: n(row.count),
      amount: n(row.amount),
      tendered: n(row.tendered),
      change: n(row.change),
    }))
    const movement = (kind: string) => {
      const row = movements.find((m: any) => m.kind === kind)
      return { count: n(row?.count), total: n(row?.total) }
    }
    const cashRow = byMethod.find((m) => m.method === 'cash')
    const cashIn = movement('cash_in')
    const cashOut = movement('cash_out')
    const taken = cashRow?.tendered ?? 0
    const change = cashRow?.change ?? 0
    const expected = shift.openingFloat + taken - change - refunds.cash + cashIn.total - cashOut.total
    const counted = closedAt ? shift.countedCash : null

    return {
      shiftId: shift.id,
      registerId: shift.registerId,
      openedAt: shift.openedAt.toUTC().toISO()!,
      closedAt: closedAt ? closedAt.toISOString() : null,
      currency,
      openingFloat: shift.openingFloat,
      sales: {
        count: n(sales?.count),
        subtotal: n(sales?.subtotal),
        discounts: n(sales?.discounts),
        tax: n(sales?.tax),
        total: n(sales?.total),
        rounding: n(sales?.rounding),
        items: n(items?.items),
      },
      byMethod,
      taxByRate: withComponents(
        taxes.map((row: any) => ({ ratePpm: n(row.rate), tax: n(row.tax), gross: n(row.gross), net: n(row.gross) - n(row.tax) })),
        stacked
      ),
      refunds,
      voids: { count: n(voids?.count), total: n(voids?.total), carts: n(carts?.count) },
      cashIn,
      cashOut,
      noSales: movement('no_sale').count,
      cash: { float: shift.openingFloat, taken, change, refunds: refunds.cash, cashIn: cashIn.total, cashOut: cashOut.total, expected },
      counted,
      difference: counted === null ? null : counted - expected,
    }
  }

  /**
   * Refunds given at the shift's register while it was open (each names its shift, as a sale
   * does: found by time, one made in the second a shift closed and the next opened was in both),
   * their count, the goods' value, and the cash that left the drawer.
   */
  async refunds(shift: Shift, client: QueryClientContract): Promise<{ count: number; total: number; cash: number }> {
    const [totals, cash] = await Promise.all([
      client.from('refunds').where('shift_id', shift.id).count('* as count').sum('total as total').first(),
      client.from('refund_payments as p').join('refunds as f', 'f.id', 'p.refund_id').where('f.shift_id', shift.id).where('p.method', 'cash').sum('p.amount as amount').first(),
    ])
    return { count: n(totals?.count), total: n(totals?.total), cash: n(cash?.amount) }
  }
}
