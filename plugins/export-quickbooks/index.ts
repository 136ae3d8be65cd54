import { definePlugin } from '#plugins/contracts/plugin'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import { accountsFrom, journalLines, tenderLabel } from '#accounting/books_journal'

/*
| QuickBooks Online's journal entry import (Settings > Import data > Journal entries): lines
| that share a JournalNo form one entry, which must balance; accounts are named as in the chart
| of accounts (account numbers turned off), dates in the company's format, one of Debits and
| Credits per line.
*/
const exporter: AccountingExporter = {
  id: 'quickbooks',
  label: 'QuickBooks Online (journal entries)',
  fileName: 'quickbooks-journal',
  columns: () => ['JournalNo', 'JournalDate', 'AccountName', 'Debits', 'Credits', 'Description', 'Name'],
  async *rows(period, source, settings) {
    const accounts = accountsFrom(settings)
    const prefix = String(settings.journal_prefix ?? 'POS-')
    const usDates = (settings.date_format ?? 'MM/DD/YYYY') === 'MM/DD/YYYY'
    for await (const day of source.days()) {
      const [year, month, date] = day.date.split('-')
      const journalDate = usDates ? `${month}/${date}/${year}` : `${date}/${month}/${year}`
      const journalNo = `${prefix}${year}${month}${date}`
      for (const line of journalLines(day, accounts, tenderLabel)) {
        yield [
          journalNo,
          journalDate,
          line.account,
          line.debit ? period.amount(line.debit) : '',
          line.credit ? period.amount(line.credit) : '',
          line.memo,
          '',
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
