import { definePlugin } from '#plugins/contracts/plugin'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'

/*
| Every line of every completed sale in the period, for an accountant who reconciles sale by
| sale or loads the detail into a spreadsheet. Amounts in the currency's units.
*/
const exporter: AccountingExporter = {
  id: 'sales-lines',
  label: 'Sales lines (one row per line sold)',
  fileName: 'sales-lines',
  // Opened in a spreadsheet: with the BOM, so Excel reads product names in UTF-8
  forSpreadsheets: true,
  columns: () => ['date', 'completed_at', 'register', 'sale_number', 'sku', 'product', 'quantity', 'unit_price', 'discount', 'tax_code', 'tax_rate', 'tax', 'net', 'total'],
  async *rows(period, source) {
    for await (const line of source.saleLines()) {
      const of = [line.date, line.completedAt, line.register, line.number, line.sku, line.name]
      if (!line.taxes) {
        yield [...of, line.quantity, period.amount(line.unitPrice), period.amount(line.discount), line.taxCode, line.taxRatePpm / 10_000, period.amount(line.tax), period.amount(line.net), period.amount(line.total)]
        continue
      }
      // Stacked taxes (state, county, city): a row per tax, the line's quantity and amounts on
      // the first, zero on the others, so every column still adds up to the day's totals
      for (const [i, tax] of line.taxes.entries()) {
        const first = i === 0
        yield [
          ...of,
          first ? line.quantity : 0,
          period.amount(first ? line.unitPrice : 0),
          period.amount(first ? line.discount : 0),
          tax.code,
          tax.ratePpm / 10_000,
          period.amount(tax.amount),
          period.amount(first ? line.net : 0),
          period.amount(first ? line.total - line.tax + tax.amount : tax.amount),
        ]
      }
    }
  },
}

export default definePlugin({
  setup(host) {
    host.accountingExporter(exporter)
  },
})
