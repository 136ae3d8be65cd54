/*
| The accounting-export extension point. An exporter turns a period of a store's books into the
| rows of the CSV that an accounting package imports. The host streams those rows through
| papaparse to the download (never the whole file in memory) and neutralises formula cells.
*/
import type { PluginSettings } from '#plugins/contracts/plugin'

export interface ExportPeriod {
  storeId: number
  /** The store's days, inclusive, YYYY-MM-DD */
  from: string
  to: string
  timeZone: string
  currency: string
  /** Digits of the currency's minor unit (2 for USD) */
  currencyDigits: number
}

/** One store day of the books, in minor units; what every shipped exporter is built from */
export interface BookDay {
  date: string
  /** Net sales (after discounts, before tax), by sales account key (e.g. a category or 'sales') */
  sales: number
  discounts: number
  /** Tax collected, by rate */
  taxes: { code: string; name: string; ratePpm: number; amount: number }[]
  /** Money received, by payment method */
  payments: { method: string; amount: number }[]
  /** Money paid back on refunds, by payment method, and the net sales and tax they reverse */
  refunds: { method: string; amount: number }[]
  refundedSales: number
  refundedTax: number
  /** Cash rounding given or taken */
  rounding: number
}

export interface ExportSource {
  /** The period's days in order, streamed from the database */
  days(): AsyncIterable<BookDay>
}

export interface AccountingExporter {
  readonly id: string
  readonly label: string
  /** The CSV's header row */
  columns(settings: PluginSettings): string[]
  /** The CSV's data rows, in a stable order (the same period exported twice is byte-identical) */
  rows(period: ExportPeriod, source: ExportSource, settings: PluginSettings): AsyncIterable<(string | number)[]>
}
