import { definePlugin } from '#plugins/contracts/plugin'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import { accountsFrom, journalLines, tenderLabel } from '#accounting/books_journal'

/*
| A generic double-entry journal, one balanced entry per store day: date, account, debit,
| credit, memo. Any accounting package that imports a journal CSV can take it.
*/
const exporter: AccountingExporter = {
  id: 'journal',
  label: 'Daily journal (date, account, debit, credit, memo)',
  fileName: 'journal',
  columns: () => ['date', 'account', 'debit', 'credit', 'memo'],
  async *rows(period, source, settings) {
    const accounts = accountsFrom(settings)
    for await (const day of source.days()) {
      for (const line of journalLines(day, accounts, tenderLabel)) {
        yield [
          day.date,
          line.account,
          line.debit ? period.amount(line.debit) : '',
          line.credit ? period.amount(line.credit) : '',
          line.memo,
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
