import { definePlugin } from '#plugins/contracts/plugin'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import { accountsFrom, journalLines, tenderLabel } from '#accounting/books_journal'

/*
| Xero's manual journal import (Accounting > Manual journals > Import): rows with the same
| Narration and Date form one journal, which must balance; AccountCode is the code of the
| chart of accounts; Amount is a debit when positive and a credit when negative; TaxRate is
| the name of a tax rate in Xero (taxes have their own lines here, so a no-tax rate).
*/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const exporter: AccountingExporter = {
  id: 'xero',
  label: 'Xero (manual journals)',
  fileName: 'xero-manual-journals',
  columns: () => ['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount', 'TrackingName1', 'TrackingOption1', 'TrackingName2', 'TrackingOption2'],
  async *rows(period, source, settings) {
    const accounts = accountsFrom(settings)
    const taxRate = String(settings.tax_rate ?? 'Tax Exempt')
    for await (const day of source.days()) {
      const [year, month, date] = day.date.split('-')
      // "05 Jan 2026": the one date form Xero reads the same in every region
      const xeroDate = `${date} ${MONTHS[Number(month) - 1]} ${year}`
      const narration = `POS sales ${day.date}`
      for (const line of journalLines(day, accounts, tenderLabel)) {
        const amount = line.debit ? period.amount(line.debit) : period.amount(-line.credit)
        yield [narration, xeroDate, line.memo, line.account, taxRate, amount, '', '', '', '']
      }
    }
  },
}

export default definePlugin({
  setup(host) {
    host.accountingExporter(exporter)
  },
})
