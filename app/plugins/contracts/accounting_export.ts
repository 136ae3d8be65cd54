/*
| The accounting-export extension point. An exporter turns a period of a store's books into the
| rows of the CSV that an accounting package imports. The host streams those rows through the
| app's one CSV writer (app/platform/csv_writer.ts) to the download, never the whole file in
| memory, and neutralises formula cells there: an exporter hands over plain values.
*/
import type { PluginSettings } from '#plugins/contracts/plugin_settings'

export interface ExportPeriod {
  storeId: number
  /** The store's days, inclusive, YYYY-MM-DD */
  from: string
  to: string
  timeZone: string
  currency: string
  /** Digits of the currency's minor unit (2 for USD) */
  currencyDigits: number
  /** Minor units as the decimal text accounting packages read: 123456 -> "1234.56" (never through a float) */
  amount(minor: number): string
}

export interface BookTax {
  /** The tax class, or for a line of stacked taxes its component's code (state, county, city) */
  code: string
  name: string
  ratePpm: number
  amount: number
}

/**
 * One store day of the books, in minor units; what every shipped exporter is built from.
 * It balances: sum(payments) = sales + sum(taxes) + rounding, and
 * sum(refunds) = refundedSales + refundedTax + refundRounding.
 */
export interface BookDay {
  date: string
  /** Completed sales that day */
  saleCount: number
  /** Net sales: after discounts, without tax */
  sales: number
  /**
   * Discounts given (line and cart), without tax (a discount off a price that included tax is
   * taken without the tax it held); sales + discounts is the gross amount before discounts
   */
  discounts: number
  /** Tax collected, by rate (a line of stacked taxes: by component), ordered by code then rate */
  taxes: BookTax[]
  /** Money received, by payment method, ordered by method */
  payments: { method: string; amount: number }[]
  /** Money paid back on refunds, by payment method, and the net sales and tax they reverse */
  refunds: { method: string; amount: number }[]
  refundedSales: number
  refundedTax: number
  /**
   * refundedTax by the rate the refunded lines were taxed at, ordered by code then rate; a
   * return of a line of stacked taxes split across its components (in proportion to their
   * amounts, the rest to the largest)
   */
  refundedTaxes: BookTax[]
  /** Cash rounding of refunds (positive when the customer got more back) */
  refundRounding: number
  /** Cash rounding taken (positive: the customer paid more than the total) */
  rounding: number
}

/** One line of a completed sale, for exporters that list sales in detail */
export interface BookSaleLine {
  /** The store day of the sale */
  date: string
  /**
   * The completion time, ISO 8601 in the store's time zone with its offset
   * (2026-12-02T19:07:37-05:00), so it falls on `date`
   */
  completedAt: string
  saleId: number
  register: string
  number: number
  sku: string
  name: string
  quantity: number
  unitPrice: number
  discount: number
  taxCode: string
  taxRatePpm: number
  tax: number
  /** Net of discounts, without tax */
  net: number
  /** What the customer paid for the line (tax included) */
  total: number
  /**
   * A line taxed by more than one tax (a region that stacks them: state, county, city): each
   * one with the amount the line kept; taxCode, taxRatePpm and tax are their class, summed rate
   * and total. Left out for a line of one tax
   */
  taxes?: BookTax[]
}

export interface ExportSource {
  /** The period's days in order, streamed from the database (days without sales included) */
  days(): AsyncIterable<BookDay>
  /** The period's sale lines in order (day, completion time, sale, line), streamed in chunks */
  saleLines(): AsyncIterable<BookSaleLine>
}

export interface AccountingExporter {
  readonly id: string
  readonly label: string
  /** The file name's stem, e.g. 'journal' -> journal-2026-01-01-2026-01-31.csv */
  readonly fileName?: string
  /**
   * true: the file is for a spreadsheet, so it starts with a UTF-8 BOM (Excel reads accents and
   * the euro sign right only with it). Left out: for an accounting package's import, no BOM
   * (they read UTF-8 as it is, and some would take the BOM for part of the first column's name).
   */
  readonly forSpreadsheets?: boolean
  /** The CSV's header row */
  columns(settings: PluginSettings): string[]
  /** The CSV's data rows, in a stable order (the same period exported twice is byte-identical) */
  rows(period: ExportPeriod, source: ExportSource, settings: PluginSettings): AsyncIterable<(string | number)[]>
}
